// The hospital cashier at the counter of a Tianjin hospital serving a
// patient insured in Hebei: read the card, register the visit, add fee
// lines from the catalogue, presettle, settle; the receipt's every amount
// is the settlement the server stored; then the reversal with its reason,
// the day's settlements listing both, and the day's reconciliation balanced.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { assertNoPageErrors, checkAccessibility, launch, newPage, pageFetch, root, screenshot, signIn, journey } from './lib.mjs';
import { assertReceiptIsStored, receiptRows } from './receipt.mjs';

// The demo patient (data/persons.json): insured in Xingtai, Hebei.
const kPatientCertno = '130502198503160248';
const patient = JSON.parse(readFileSync(join(root, 'data', 'persons.json'), 'utf8')).find((p) => p.certno === kPatientCertno);
// Two items of Tianjin's catalogue: an outpatient consultation (class 甲)
// and a head CT (class 乙, with an upfront self-pay share).
const kItems = ['001102000010000', '002103000010000'];

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

test('cashier: card, visit, fee lines, presettle, settle; the receipt is the stored settlement; reverse; the day; reconcile', async () => {
  assert.ok(patient, 'the demo patient is in data/persons.json');
  const page = await newPage(browser);
  await journey(page, 'cashier', async () => {
    await signIn(page, 'cashier');
    await assert.doesNotReject(page.waitForURL('**/cashier/counter'));
    await page.getByRole('heading', { level: 1, name: "Cashier's counter" }).waitFor();

    // 1. the card
    await page.getByLabel('Credential type').selectOption('02');
    await page.getByLabel('Credential number').fill(kPatientCertno);
    await page.getByRole('button', { name: 'Look up' }).click();
    await page.getByTestId('person-name').waitFor();
    assert.equal((await page.getByTestId('person-name').textContent()).trim(), patient.psn_name);
    assert.equal((await page.getByTestId('person-psn-no').textContent()).trim(), patient.psn_no);

    // 2. the visit
    await page.getByRole('button', { name: 'Register the visit' }).click();
    const opened = page.getByTestId('mdtrt-id');
    await opened.waitFor();
    const mdtrtId = /visit (\S+)/.exec(await opened.textContent())[1];
    assert.ok(mdtrtId.length > 0, 'the visit has an id');

    // 3. fee lines: each item found in the catalogue and added
    for (const code of kItems) {
      await page.getByLabel('Find an item (code or name)').fill(code);
      await page.getByRole('button', { name: 'Find', exact: true }).click();
      const row = page.locator('table', { has: page.locator('caption', { hasText: 'Catalogue items' }) }).locator('tr', { hasText: code });
      await row.first().waitFor();
      await row.first().getByRole('button', { name: /^Add / }).click();
    }
    const lines = page.locator('table', { has: page.locator('caption', { hasText: 'Fee lines to upload' }) });
    assert.equal(await lines.locator('tbody tr').count(), kItems.length);
    await page.getByRole('button', { name: 'Upload the fee lines' }).click();
    await page.getByText(`${kItems.length} fee lines uploaded.`).waitFor();

    // 4. presettle (nothing settled yet), then settle
    await page.getByRole('button', { name: 'Presettle' }).click();
    const preview = page.getByRole('article', { name: 'Presettlement (not settled yet)' });
    await preview.waitFor();
    const previewRows = await receiptRows(preview);
    await page.getByRole('button', { name: 'Settle', exact: true }).click();
    const settled = page.getByTestId('setl-id');
    await settled.waitFor();
    const setlId = /settlement (\S+)/.exec(await settled.textContent())[1];
    const receipt = page.getByRole('article', { name: 'Receipt' });
    const rows = await receiptRows(receipt);

    const stored = await pageFetch(page, `/api/v1/settlements/${encodeURIComponent(setlId)}`);
    assert.equal(stored.status, 200, `GET /api/v1/settlements/${setlId}: ${JSON.stringify(stored.body)}`);
    assert.equal(stored.body.psn_no, patient.psn_no);
    assert.equal(stored.body.mdtrt_id, mdtrtId);
    const shown = assertReceiptIsStored(rows, stored.body, 'the settled receipt');
    assert.ok(shown[0].fen > 0, 'the bill is not zero');
    assert.ok(Number(stored.body.preselfpay_amt_fen) > 0, 'the head CT (class 乙) has an upfront self-pay share');
    // The presettlement showed what the settlement then was.
    assert.deepEqual(previewRows, rows, 'the presettlement and the settlement show the same amounts');
    assert.equal(await receipt.getByText('Note: the parts do not add up to the totals.').count(), 0);
    await checkAccessibility(page, 'the counter with a settled receipt');
    await screenshot(page, 'cashier-receipt', { fullPage: true });

    // 5. the reversal, with its reason
    await page.getByLabel('Reason for the reversal').fill('sample reason: wrong insurance type chosen');
    await page.getByRole('button', { name: 'Reverse this settlement' }).click();
    const reversedNote = page.getByText(/^Reversed: reversal /);
    await reversedNote.waitFor();
    const reversalId = /reversal (\S+)/.exec(await reversedNote.textContent())[1];
    assert.notEqual(reversalId, setlId);
    const reversal = await pageFetch(page, `/api/v1/settlements/${encodeURIComponent(reversalId)}`);
    assert.equal(reversal.status, 200);
    assert.equal(reversal.body.orig_setl_id, setlId);
    assert.equal(Number(reversal.body.medfee_sumamt_fen), -Number(stored.body.medfee_sumamt_fen));
    assert.equal(Number(reversal.body.fund_pay_sumamt_fen), -Number(stored.body.fund_pay_sumamt_fen));

    // The day's settlements list both, each a link to its receipt.
    await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: "Today's settlements" }).click();
    await page.getByRole('heading', { level: 1, name: "Today's settlements" }).waitFor();
    const day = page.locator('table.data-table').first();
    await day.getByRole('link', { name: setlId }).waitFor();
    await day.getByRole('link', { name: reversalId }).waitFor();
    await checkAccessibility(page, "the day's settlements");

    // Reconcile: the institution's day and the exchange's agree.
    await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Reconciliation' }).click();
    await page.getByRole('heading', { level: 1, name: 'End-of-day reconciliation' }).waitFor();
    await page.getByRole('button', { name: 'Reconcile', exact: true }).click();
    const result = page.getByTestId('stmt-rslt');
    await result.waitFor();
    assert.equal((await result.textContent()).trim(), "Balanced: the institution's and the exchange's counts and sums agree.");
    await checkAccessibility(page, 'the reconciliation');
    assertNoPageErrors(page, 'the cashier journey');
  });
  await page.context().close();
});
