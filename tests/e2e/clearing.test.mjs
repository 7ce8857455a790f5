// The month's clearing, the operator's and the agency's: the operator sees
// the service healthy and its metrics charted, then closes last month (the
// demo settled sample visits on its days) from the clearing page, and its
// report shows the flow chart and the regions' net positions summing to
// zero; the Hebei agency opens that month: the flow chart is drawn, its own
// net position is what its transfers settle, the flows' CSV downloads; the
// server refuses the agency a close.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { assertNoPageErrors, checkAccessibility, fenOf, launch, newPage, pageFetch, signIn, journey } from './lib.mjs';

// The settlements `xietong demo --past-month N` dates in last month (run.sh).
const kPastMonthSettlements = 60;

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

// The chart under the heading `heading` (EChart.vue: a div.chart) has been
// drawn: a canvas of the box's size with pixels that are not all one colour.
function chartUnder(page, heading) {
  return page.locator('section', { has: page.getByRole('heading', { name: heading, exact: true }) }).locator('div.chart').first();
}
async function assertChartDrawn(box, what) {
  await box.locator('canvas').first().waitFor();
  const drawn = await box.evaluate((el) => {
    const canvas = el.querySelector('canvas');
    const ctx = canvas.getContext('2d');
    const { width, height } = canvas;
    if (width === 0 || height === 0) return { width, height, colours: 0 };
    const data = ctx.getImageData(0, 0, width, height).data;
    const colours = new Set();
    for (let i = 0; i < data.length && colours.size < 3; i += 4 * 97) colours.add(`${data[i]},${data[i + 1]},${data[i + 2]},${data[i + 3]}`);
    return { width, height, colours: colours.size };
  });
  assert.ok(drawn.width > 100 && drawn.height > 100, `${what}: the chart's canvas is ${drawn.width}x${drawn.height}`);
  assert.ok(drawn.colours >= 2, `${what}: the chart's canvas is blank`);
}

// A table's column heads and its body's cells, by its caption.
async function readTable(page, caption) {
  const table = page.locator('table', { has: page.locator('caption', { hasText: caption }) }).first();
  await table.locator('tbody tr').first().waitFor();
  const heads = await table.locator('thead th').evaluateAll((ths) => ths.map((th) => th.textContent.replace(/[▲▼↕]/g, '').trim()));
  const rows = await table
    .locator('tbody tr')
    .evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent.trim())));
  return { rows, cell: (row, name) => {
    const i = heads.indexOf(name);
    assert.ok(i >= 0, `no column "${name}" in ${caption}: ${heads.join(', ')}`);
    return row[i];
  } };
}

// The net positions shown: on each row receivable - payable = net; returns
// [{region, net}] in fen.
async function netPositions(page) {
  const nets = await readTable(page, /^Net positions$/);
  return nets.rows.map((r) => {
    const [rec, pay, net] = ['Receivable', 'Payable', 'Net'].map((c) => fenOf(nets.cell(r, c)));
    assert.equal(rec - pay, net, `net position ${r.join(' | ')}: receivable - payable = net`);
    return { region: nets.cell(r, 'Region'), net };
  });
}

let closedMonth = null;

test('operator: health, the metrics charted, last month closed from the clearing page, net positions summing to zero', async () => {
  const page = await newPage(browser);
  await journey(page, 'operator', async () => {
    await signIn(page, 'operator');
    await page.getByRole('heading', { level: 1, name: 'Service health' }).waitFor();
    await page.getByText('Fine: the database can be read.').waitFor();
    assert.equal((await page.getByTestId('health-status').textContent()).trim(), 'ok');

    const nav = page.getByRole('navigation', { name: 'Main navigation' });
    await nav.getByRole('link', { name: 'Metrics' }).click();
    await page.getByRole('heading', { level: 1, name: 'Metrics' }).waitFor();
    const requests = page.getByTestId('metric-requests');
    await requests.waitFor();
    assert.ok(Number(await requests.textContent()) > 0, 'the server has answered requests');
    const codesChart = chartUnder(page, 'Requests by status code');
    await assertChartDrawn(codesChart, 'requests by status code');
    assert.equal(await codesChart.getAttribute('aria-label'), 'Bar chart of requests by status code');
    const codes = page.locator('table', { has: page.locator('caption', { hasText: 'Requests by HTTP status code' }) });
    await codes.getByRole('cell', { name: '200', exact: true }).waitFor();
    await checkAccessibility(page, 'the metrics');

    await nav.getByRole('link', { name: 'Clearing' }).click();
    await page.getByRole('heading', { level: 1, name: 'Clearing months' }).waitFor();
    const month = page.getByLabel('Month to close (yyyyMM)');
    closedMonth = await month.inputValue();
    assert.match(closedMonth, /^\d{6}$/, 'the form offers last month');
    const shown = `${closedMonth.slice(0, 4)}-${closedMonth.slice(4)}`;
    await page.getByRole('button', { name: `Close ${shown}` }).click();
    const done = page.getByText(new RegExp(`^\\s*${shown} closed: (\\d+) settlements\\.`));
    await done.waitFor({ timeout: 60000 });
    const count = Number(/closed: (\d+) settlements/.exec(await done.textContent())[1]);
    const stored = await pageFetch(page, `/api/v1/clearing/months/${closedMonth}`);
    assert.equal(stored.status, 200);
    assert.equal(count, Number(stored.body.settlements), 'the settlements said are the month\'s stored ones');
    assert.ok(count > 0, `the demo dated cross-region settlements in ${shown}`);
    await page.getByRole('link', { name: 'Open its reports' }).click();
    await page.getByRole('heading', { level: 1, name: `Clearing of ${shown}` }).waitFor();
    // The operator sees every region's position: they sum to zero.
    await assertChartDrawn(chartUnder(page, 'Flows between regions'), "the month's flows");
    const nets = await netPositions(page);
    assert.equal(nets.length, 3, 'Beijing, Tianjin and Hebei each have a position');
    assert.equal(nets.reduce((a, n) => a + n.net, 0), 0, 'the net positions sum to zero');
    assert.ok(nets.some((n) => n.net !== 0), 'some region owes another');
    assertNoPageErrors(page, 'the operator journey');
  });
  await page.context().close();
});

test('agency: the closed month, its flow chart, its net position and transfers, the CSV; a close refused', async () => {
  assert.ok(closedMonth, 'the operator closed a month first');
  const shown = `${closedMonth.slice(0, 4)}-${closedMonth.slice(4)}`;
  const page = await newPage(browser);
  await journey(page, 'agency', async () => {
    await signIn(page, 'agency');
    await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Clearing' }).click();
    await page.getByRole('heading', { level: 1, name: 'Clearing months' }).waitFor();
    assert.equal(await page.getByRole('heading', { name: 'Close a clearing month' }).count(), 0, 'an agency is offered no close');
    await page.getByRole('link', { name: shown, exact: true }).click();
    await page.getByRole('heading', { level: 1, name: `Clearing of ${shown}` }).waitFor();

    const chart = chartUnder(page, 'Flows between regions');
    await assertChartDrawn(chart, 'the flows between regions');
    assert.match(await chart.getAttribute('aria-label'), /^Flows between regions in .*→ .*¥[\d,]+\.\d{2}/, 'the chart says its flows in words');

    // Its own position: receivable - payable = net, and the net is what the
    // transfers it pays or is paid settle.
    const nets = await netPositions(page);
    assert.equal(nets.length, 1, 'an agency sees its own region\'s position');
    const transfers = await readTable(page, /^Net transfers$/);
    const hebei = nets[0].region;
    let settled = 0;
    for (const t of transfers.rows) {
      const amount = fenOf(transfers.cell(t, 'Amount (yuan)'));
      if (transfers.cell(t, 'Payee') === hebei) settled += amount;
      if (transfers.cell(t, 'Payer') === hebei) settled -= amount;
    }
    assert.equal(settled, nets[0].net, `${hebei}'s net position is what its transfers settle`);

    // The flows' CSV downloads and holds the month's flows.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Flows as CSV' }).click()]);
    const csv = readFileSync(await download.path(), 'utf8').trim().split('\n');
    assert.ok(csv.length >= 2, `the CSV has a header and rows: ${csv.slice(0, 3).join(' / ')}`);
    assert.ok(csv[0].split(',').length >= 3, `the CSV's header: ${csv[0]}`);
    assert.ok(csv.some((l) => l.includes('130000')), 'the CSV names Hebei');
    await checkAccessibility(page, "the agency's month");

    // The server itself refuses the agency a close, whatever the page offers.
    const refused = await pageFetch(page, `/api/v1/clearing/months/${closedMonth}/close`, { method: 'POST', body: {} });
    assert.equal(refused.status, 403, `an agency's close: ${JSON.stringify(refused.body)}`);
    assert.match(refused.body.err_code, /^XT-AUTH-/);
    assertNoPageErrors(page, 'the agency journey');
  });
  await page.context().close();
});
