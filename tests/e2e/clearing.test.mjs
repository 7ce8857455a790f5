// The month's clearing, the operator's and the agency's: the operator sees
// the service healthy and its metrics charted, then closes last month (the
// demo settled sample visits on its days) from the clearing page; the Hebei
// agency opens that month: the flow chart is drawn, the net positions it
// shows sum to zero, the flows' CSV downloads; the server refuses the
// agency a close.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { assertNoPageErrors, checkAccessibility, fenOf, launch, newPage, pageFetch, signIn } from './lib.mjs';

// The settlements `xietong demo --past-month N` dates in last month (run.sh).
const kPastMonthSettlements = 60;

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

// The chart in `box` (EChart.vue: a role="img" div) has been drawn: a canvas
// of the box's size with pixels that are not all one colour.
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

let closedMonth = null;

test('operator: health, the metrics charted, and last month closed from the clearing page', async () => {
  const page = await newPage(browser);
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
  await assertChartDrawn(page.getByRole('img', { name: 'Bar chart of requests by status code' }), 'requests by status code');
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
  assert.ok(count >= kPastMonthSettlements, `${count} settlements cleared, the demo dated ${kPastMonthSettlements} in ${shown}`);
  await page.getByRole('link', { name: 'Open its reports' }).click();
  await page.getByRole('heading', { level: 1, name: `Clearing of ${shown}` }).waitFor();
  assertNoPageErrors(page, 'the operator journey');
  await page.context().close();
});

test('agency: the closed month, its flow chart, net positions summing to zero, the CSV; a close refused', async () => {
  assert.ok(closedMonth, 'the operator closed a month first');
  const shown = `${closedMonth.slice(0, 4)}-${closedMonth.slice(4)}`;
  const page = await newPage(browser);
  await signIn(page, 'agency');
  await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Clearing' }).click();
  await page.getByRole('heading', { level: 1, name: 'Clearing months' }).waitFor();
  assert.equal(await page.getByRole('heading', { name: 'Close a clearing month' }).count(), 0, 'an agency is offered no close');
  await page.getByRole('link', { name: shown, exact: true }).click();
  await page.getByRole('heading', { level: 1, name: `Clearing of ${shown}` }).waitFor();

  const chart = page.getByRole('img', { name: /^Flows between regions in / });
  await assertChartDrawn(chart, 'the flows between regions');
  assert.match(await chart.getAttribute('aria-label'), /→ .*¥[\d,]+\.\d{2}/, 'the chart says its flows in words');

  // Net positions: receivable - payable = net on each row, and the nets sum to zero.
  const nets = page.locator('table', { has: page.locator('caption', { hasText: /^Net positions$/ }) });
  await nets.locator('tbody tr').first().waitFor();
  const rows = await nets.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent.trim())));
  const heads = await nets.locator('thead th').evaluateAll((ths) => ths.map((th) => th.textContent.replace(/[▲▼↕]/g, '').trim()));
  const col = (name) => heads.indexOf(name);
  assert.ok(col('Receivable') >= 0 && col('Payable') >= 0 && col('Net') >= 0, `the net positions' columns: ${heads.join(', ')}`);
  assert.ok(rows.length >= 2, 'at least two regions have a position');
  let sum = 0;
  let moved = 0;
  for (const r of rows) {
    const [rec, pay, net] = [fenOf(r[col('Receivable')]), fenOf(r[col('Payable')]), fenOf(r[col('Net')])];
    assert.equal(rec - pay, net, `row ${r.join(' | ')}: receivable - payable = net`);
    sum += net;
    moved += Math.abs(net);
  }
  assert.equal(sum, 0, 'the net positions sum to zero');
  assert.ok(moved > 0, 'some region owes another');

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
  await page.context().close();
});
