// The receipt as the page shows it (components/Receipt.vue), read back row
// by row, and held against the settlement the server stored (GET
// /api/v1/settlements/{setl_id}): every amount shown must be the stored
// one, to the fen, and no shown amount may go unchecked.
import { strict as assert } from 'node:assert';
import { fenOf } from './lib.mjs';

// The English labels of the receipt's rows and the stored fields they show:
// each part first, then what it is made of (the funds, then the patient's).
const kFundTotal = 'Paid by the funds';
const kPatientTotal = 'Borne by the patient';
const kAfterFunds = [
  ['Borne by the patient', 'psn_part_amt_fen'],
  ['Upfront self-pay (先行自付)', 'preselfpay_amt_fen'],
  ['Over the price cap (超限价)', 'overlmt_selfpay_fen'],
  ['Wholly own-pay (全自费)', 'fulamt_ownpay_amt_fen'],
  ['Personal account', 'acct_pay_fen'],
  ['Cash', 'psn_cash_pay_fen'],
  ['Personal account balance', 'balc_fen'],
];
// The funds' names as the receipt writes them (messages.js, fund.*).
const kFundNames = {
  pooled: 'Pooled fund',
  large_amount: 'Large-amount subsidy',
  critical_illness: 'Critical-illness insurance',
  civil_servant: 'Civil-servant subsidy',
  enterprise: 'Enterprise supplementary',
  medical_assistance: 'Medical assistance',
  other: 'Other',
  personal_account: 'Personal account',
};
// The summary's fund columns, for a settlement stored without fund rows.
const kFundFields = {
  hifp_pay_fen: 'pooled',
  hifob_pay_fen: 'large_amount',
  hifmi_pay_fen: 'critical_illness',
  cvlserv_pay_fen: 'civil_servant',
  hifes_pay_fen: 'enterprise',
  maf_pay_fen: 'medical_assistance',
  oth_pay_fen: 'other',
};

// [{label, text}] of the receipt's table, in order.
export async function receiptRows(receipt) {
  await receipt.locator('table.receipt-table tr').first().waitFor();
  return receipt.locator('table.receipt-table tr').evaluateAll((rows) =>
    rows.map((r) => ({
      label: r.querySelector('th').textContent.trim(),
      text: r.querySelector('td').textContent.trim(),
    })),
  );
}

// The stored settlement's fund payments [{name, code, fen}], as the receipt
// lists them: the fund's name, or its fund_pay_type where the page has no name.
function storedFunds(stored) {
  if (Array.isArray(stored.funds) && stored.funds.length > 0) {
    return stored.funds.map((f) => ({
      name: kFundNames[f.fund] || f.fund || f.fund_pay_type,
      code: f.fund_pay_type || '',
      fen: Number(f.fund_payamt_fen ?? 0),
    }));
  }
  return Object.entries(kFundFields)
    .filter(([field]) => Number(stored[field] || 0) !== 0)
    .map(([field, fund]) => ({ name: kFundNames[fund], code: '', fen: Number(stored[field]) }));
}

// Every row of the shown receipt equals the stored settlement: the total,
// what the funds paid and each fund in turn, what the patient bears and its
// parts, then how it was paid.
// Returns the amounts compared, for the caller's own checks.
export function assertReceiptIsStored(rows, stored, what) {
  assert.ok(rows.length >= 2, `${what}: the receipt shows no amounts`);
  const shown = rows.map((r) => ({ label: r.label, fen: fenOf(r.text) }));
  assert.equal(shown[0].label, 'Total medical fees', `${what}: the receipt's first row`);
  assert.equal(shown[0].fen, Number(stored.medfee_sumamt_fen), `${what}: total medical fees`);
  assert.equal(shown[1]?.label, kFundTotal, `${what}: the receipt's second row`);
  assert.equal(shown[1].fen, Number(stored.fund_pay_sumamt_fen), `${what}: ${kFundTotal}`);
  const fundEnd = shown.findIndex((r) => r.label === kPatientTotal);
  assert.ok(fundEnd > 1, `${what}: no "${kPatientTotal}" row after the funds`);
  const funds = storedFunds(stored);
  const shownFunds = shown.slice(2, fundEnd);
  assert.equal(shownFunds.length, funds.length, `${what}: ${shownFunds.length} fund rows shown, ${funds.length} stored`);
  for (const [i, f] of funds.entries()) {
    assert.ok([f.name, f.code].includes(shownFunds[i].label), `${what}: fund row ${i + 1} is "${shownFunds[i].label}", stored ${f.name} (${f.code})`);
    assert.equal(shownFunds[i].fen, f.fen, `${what}: ${f.name} shows ${shownFunds[i].fen} fen, the server stored ${f.fen}`);
  }
  const rest = shown.slice(fundEnd);
  const expected = kAfterFunds.filter(([, field]) => field !== 'balc_fen' || (stored.balc_fen !== undefined && stored.balc_fen !== null));
  assert.deepEqual(
    rest.map((r) => r.label),
    expected.map(([label]) => label),
    `${what}: the receipt's rows after the funds`,
  );
  for (const [i, [label, field]] of expected.entries()) {
    assert.equal(rest[i].fen, Number(stored[field]), `${what}: "${label}" shows ${rest[i].fen} fen, the server stored ${stored[field]} (${field})`);
  }
  return shown;
}
