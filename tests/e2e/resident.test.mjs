// The demo patient, a Hebei resident, signed in: her own settlements, each
// with its breakdown (the receipt equal, to the fen, to what the server
// stored); another person's settlement asked for by its address is refused
// by the server, and the page says so.
import { strict as assert } from 'node:assert';
import { after, before, test } from 'node:test';
import { assertNoPageErrors, baseUrl, checkAccessibility, launch, newPage, pageFetch, signIn, users, journey } from './lib.mjs';
import { assertReceiptIsStored, receiptRows } from './receipt.mjs';

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

// A settlement of someone else, as the operator (who sees every one) finds it.
async function someoneElsesSettlement() {
  const page = await newPage(browser);
  await signIn(page, 'operator');
  const today = new Date(Date.now() + 8 * 3600 * 1000);
  const from = new Date(today.getTime() - 70 * 86400 * 1000).toISOString().slice(0, 10);
  const to = new Date(today.getTime() + 86400 * 1000).toISOString().slice(0, 10);
  const list = await pageFetch(page, `/api/v1/settlements?from=${from}&to=${to}&page_size=100`);
  assert.equal(list.status, 200, `the operator's list: ${JSON.stringify(list.body)}`);
  await page.context().close();
  const other = list.body.settlements.find((s) => s.psn_no !== users.resident.psn_no);
  assert.ok(other, 'the demo settled someone else too');
  return other;
}

test('resident: own settlements with the breakdown as stored; another person\'s settlement refused', async () => {
  const other = await someoneElsesSettlement();
  const page = await newPage(browser);
  await journey(page, 'resident', async () => {
    await signIn(page, 'resident');
    await page.getByRole('heading', { level: 1, name: 'My settlements' }).waitFor();
    const list = page.locator('table.data-table').first();
    const first = list.locator('tbody tr').first();
    await first.getByRole('link').waitFor();
    const setlId = (await first.getByRole('link').textContent()).trim();
    const rows = await list.locator('tbody tr').count();
    const mine = await pageFetch(page, `/api/v1/persons/${users.resident.psn_no}/settlements`);
    assert.equal(mine.status, 200);
    assert.ok(mine.body.settlements.some((s) => s.setl_id === setlId), 'the listed settlement is hers');
    assert.ok(rows >= 1 && mine.body.settlements.every((s) => s.psn_no === users.resident.psn_no));

    // The breakdown of the first.
    await first.getByRole('button', { name: 'Receipt' }).click();
    const receipt = page.getByRole('article', { name: 'Receipt' });
    await receipt.waitFor();
    const stored = await pageFetch(page, `/api/v1/settlements/${encodeURIComponent(setlId)}`);
    assert.equal(stored.status, 200);
    assertReceiptIsStored(await receiptRows(receipt), stored.body, `the receipt of ${setlId}`);
    await checkAccessibility(page, "the resident's settlements with a receipt");
    assertNoPageErrors(page, "the resident's settlements");

    // Someone else's settlement by its address: the server refuses, the page says so.
    const refused = await pageFetch(page, `/api/v1/settlements/${encodeURIComponent(other.setl_id)}`);
    assert.equal(refused.status, 404, `another person's settlement: ${JSON.stringify(refused.body)}`);
    await page.goto(`${baseUrl}/settlements/${encodeURIComponent(other.setl_id)}`);
    const alert = page.getByRole('alert');
    await alert.waitFor();
    assert.equal((await alert.locator('.err-code').textContent()).trim(), refused.body.err_code);
    assert.equal((await alert.locator('.err-msg').textContent()).trim(), refused.body.err_msg);
    assert.equal(await page.getByRole('article', { name: 'Receipt' }).count(), 0, 'no receipt is shown');
  });
  await page.context().close();
});

// "yyyy-MM-dd HH:mm:ss" in Beijing, `hoursAgo` hours before now.
function beijingText(hoursAgo) {
  const d = new Date(Date.now() - hoursAgo * 3600 * 1000 + 8 * 3600 * 1000);
  return d.toISOString().slice(0, 19).replace('T', ' ');
}

test('resident: her results, each with where it is recognised and until when, as the server says', async () => {
  // A Shijiazhuang hospital's system publishes her potassium result (7 days).
  const resultId = `${users.publisher.fixmedins_code}-RES${Date.now().toString(36).toUpperCase()}`;
  const published = await fetch(`${baseUrl}/api/v1/results`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${users.publisher.api_key}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({
      result_id: resultId, kind: 'lab', psn_no: users.resident.psn_no, fixmedins_code: users.publisher.fixmedins_code,
      item_code: 'JY01001', taken_at: beijingText(30), reported_at: beijingText(28),
      value: '4.02', unit: 'mmol/L', reference_range: '3.5-5.3',
    }),
  });
  assert.equal(published.status, 200, `publishing: ${JSON.stringify(await published.json())}`);

  const page = await newPage(browser);
  await journey(page, 'resident-results', async () => {
    await signIn(page, 'resident');
    await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'My results', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'My examination and test results' }).waitFor();
    const row = page.locator('table.data-table tbody tr', { hasText: '(K)' }).first();
    await row.waitFor();
    const mine = await pageFetch(page, `/api/v1/persons/${users.resident.psn_no}/results`);
    assert.equal(mine.status, 200);
    const stored = mine.body.results.find((r) => r.item_code === 'JY01001');
    assert.ok(stored, 'the published result is in her list');
    const tianjin = stored.recognition.find((x) => x.region === '120000');
    assert.equal(tianjin.status, 'recognised');
    // The row names the item and where it was made, and says until when it counts.
    const text = await row.textContent();
    assert.ok(text.includes(stored.fixmedins_code), `the row names the institution: ${text}`);
    assert.ok(text.includes(`Recognised until ${tianjin.expires_at}`), `the row says until when: ${text}`);
    await checkAccessibility(page, "the resident's results");
    // Another person's list: refused by the server.
    const refused = await pageFetch(page, '/api/v1/persons/1100000000000001/results');
    assert.equal(refused.status, 403, `another person's results: ${JSON.stringify(refused.body)}`);
    assertNoPageErrors(page, "the resident's results");
  });
  await page.context().close();
});
