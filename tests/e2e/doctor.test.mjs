// The doctor of a Tianjin hospital before ordering a potassium test for a
// patient insured in Hebei, whose Shijiazhuang hospital published one two days ago
// (through the API, as its system would): without an open visit of the
// patient the server refuses, and the page says what the server said; once
// the cashier has registered a visit (through the API, as the cashier), the
// recognised result is shown with why it counts and until when; the doctor
// reuses it and the decision is recorded.
import { strict as assert } from 'node:assert';
import { after, before, test } from 'node:test';
import { assertNoPageErrors, baseUrl, checkAccessibility, journey, launch, newPage, pageFetch, signIn, users } from './lib.mjs';

// A Shijiazhuang resident (data/persons.json, insutype 310) whom no other
// journey registers a visit for, so that the first check finds none.
const kPsnNo = '1301000000000005';
const kItem = 'JY01001'; // potassium (K), recognised for 7 days
const kHebeiHospital = users.publisher.fixmedins_code;

// "yyyy-MM-dd HH:mm:ss" in Beijing, `hoursAgo` hours before now.
function beijingText(hoursAgo) {
  const d = new Date(Date.now() - hoursAgo * 3600 * 1000 + 8 * 3600 * 1000);
  return d.toISOString().slice(0, 19).replace('T', ' ');
}

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

test('doctor: refused without an open visit; with one, the recognised result with its reason and expiry; reuse recorded', async () => {
  // The Hebei hospital's system publishes the result.
  const resultId = `${kHebeiHospital}-E2E${Date.now().toString(36).toUpperCase()}`;
  const published = await fetch(`${baseUrl}/api/v1/results`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${users.publisher.api_key}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({
      result_id: resultId,
      kind: 'lab',
      psn_no: kPsnNo,
      fixmedins_code: kHebeiHospital,
      item_code: kItem,
      taken_at: beijingText(48),
      reported_at: beijingText(45),
      value: '4.12',
      unit: 'mmol/L',
      reference_range: '3.5-5.3',
    }),
  });
  const publishedBody = await published.json();
  assert.equal(published.status, 200, `publishing the result: ${JSON.stringify(publishedBody)}`);

  const page = await newPage(browser);
  await journey(page, 'doctor', async () => {
    await signIn(page, 'doctor');
    await page.getByRole('heading', { level: 1, name: 'Recognised results' }).waitFor();
    const check = async () => {
      await page.getByLabel("Patient's person number").fill(kPsnNo);
      await page.getByLabel('Tests (codes or abbreviations, comma-separated)').fill(kItem);
      await page.getByRole('button', { name: 'Check recognised results' }).click();
    };

    // No open visit: the server's refusal, as it says it.
    const server = await pageFetch(page, `/api/v1/persons/${kPsnNo}/recognised?items=${kItem}`);
    assert.equal(server.status, 403, `the check without a visit: ${JSON.stringify(server.body)}`);
    assert.equal(server.body.err_code, 'XT-RES-001');
    await check();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    assert.equal((await alert.locator('.err-code').textContent()).trim(), server.body.err_code);
    assert.equal((await alert.locator('.err-msg').textContent()).trim(), server.body.err_msg);

    // The cashier registers the patient's visit.
    const cashier = await newPage(browser);
    await signIn(cashier, 'cashier');
    const visit = await pageFetch(cashier, '/api/v1/counter/visits', {
      method: 'POST',
      headers: { 'Idempotency-Key': `e2e-doctor-visit-${resultId}` },
      body: { kind: 'outpatient', psn_no: kPsnNo, insutype: '310', med_type: '11', begntime: beijingText(0) },
    });
    assert.equal(visit.status, 200, `the cashier's visit: ${JSON.stringify(visit.body)}`);
    await cashier.context().close();

    // Now the result is recognised, with why and until when.
    await check();
    const expected = await pageFetch(page, `/api/v1/persons/${kPsnNo}/recognised?items=${kItem}`);
    assert.equal(expected.status, 200);
    const item = expected.body.items[0];
    assert.equal(item.status, 'recognised');
    const mine = item.recognised.find((r) => r.result_id === resultId);
    assert.ok(mine, `the server recognises ${resultId}`);
    const table = page.locator('table', { has: page.locator('caption', { hasText: /^Recognised results of / }) });
    const row = table.locator('tbody tr', { hasText: resultId });
    await row.waitFor();
    const cells = await row.locator('td').allTextContents();
    const heads = (await table.locator('thead th').allTextContents()).map((h) => h.trim());
    const cell = (name) => cells[heads.indexOf(name)].trim();
    assert.equal(cell('From'), kHebeiHospital);
    assert.equal(cell('Why it counts'), mine.why);
    assert.match(mine.why, /HR-marked/);
    assert.equal(cell('Recognised until'), mine.expires_at.replace('T', ' ').slice(0, 19));
    await checkAccessibility(page, "the doctor's recognised results");

    // The doctor reuses it; the server has the decision.
    await row.getByRole('button', { name: 'Reuse this result' }).click();
    await page.getByText(new RegExp(`Recorded: .* reuses result ${resultId}\\.`)).waitFor();
    const month = beijingText(0).slice(0, 7);
    const stats = await pageFetch(page, `/api/v1/results/statistics?fixmedins_code=${users.doctor.fixmedins_code}&from=${month}&to=${month}`);
    assert.equal(stats.status, 200, JSON.stringify(stats.body));
    assert.ok(Number(stats.body.total.results_accepted) >= 1, `the statistics count the reuse: ${JSON.stringify(stats.body.total)}`);
    assertNoPageErrors(page, 'the doctor journey');
  });
  await page.context().close();
});
