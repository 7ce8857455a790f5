// The settlement breakdown as the patient's receipt shows it, from a
// settlement answer (GET /api/v1/settlements/{setl_id}, or the counter's
// presettle and settle answers, which carry the same *_fen fields): the
// total, each fund's payment, what the patient bears (upfront self-pay
// 先行自付, over the price cap 超限价, wholly own-pay 全自费) and how it was
// paid (personal account, cash). Amounts stay integer fen; the component
// formats them with format/money.js.
import { toFen } from '../format/money.js';

// The fund columns of the summary, in the order the receipt lists them,
// with the ledger's fund names (docs/clearing.md) they correspond to.
export const kFundFields = [
  ['hifp_pay_fen', 'pooled'],
  ['hifob_pay_fen', 'large_amount'],
  ['hifmi_pay_fen', 'critical_illness'],
  ['cvlserv_pay_fen', 'civil_servant'],
  ['hifes_pay_fen', 'enterprise'],
  ['maf_pay_fen', 'medical_assistance'],
  ['oth_pay_fen', 'other'],
];

// The fund a fund_pay_type pays from (src/policy/policy_load.cc), for fund
// rows that name only their type (the counter's answers).
export const kFundOfPayType = {
  310100: 'pooled',
  390100: 'pooled',
  330100: 'large_amount',
  390200: 'critical_illness',
  320100: 'civil_servant',
  340100: 'enterprise',
  610100: 'medical_assistance',
  999999: 'other',
};

// Every amount field of a settlement answer, in the interface's order, for
// the "details" view.
export const kAmountFields = [
  'medfee_sumamt_fen',
  'fulamt_ownpay_amt_fen',
  'overlmt_selfpay_fen',
  'preselfpay_amt_fen',
  'inscp_scp_amt_fen',
  'act_pay_dedc_fen',
  'hifp_pay_fen',
  'cvlserv_pay_fen',
  'hifes_pay_fen',
  'hifmi_pay_fen',
  'hifob_pay_fen',
  'maf_pay_fen',
  'oth_pay_fen',
  'fund_pay_sumamt_fen',
  'psn_part_amt_fen',
  'acct_pay_fen',
  'psn_cash_pay_fen',
  'hosp_part_amt_fen',
  'balc_fen',
];

function fen(s, field) {
  const v = s[field];
  return v === undefined || v === null ? 0n : toFen(v);
}

// The name the national interface gives a field ("medfee_sumamt" for
// "medfee_sumamt_fen": the interface writes yuan, the REST answer fen).
export function interfaceName(field) {
  return field.endsWith('_fen') ? field.slice(0, -4) : field;
}

// The receipt's sections: { total, funds: [{fund, fund_pay_type, fen}],
// fundTotal, own: [{key, fen}], ownTotal, paid: [{key, fen}], balance }.
// Funds come from the settlement's fund rows when it has them (one per
// fund_pay_type), else from the summary's fund columns that are not zero.
export function receiptOf(s) {
  let funds;
  if (Array.isArray(s.funds) && s.funds.length > 0) {
    funds = s.funds.map((f) => ({
      fund: f.fund || kFundOfPayType[f.fund_pay_type] || '',
      name: f.fund_pay_type_name || '',
      fund_pay_type: f.fund_pay_type || '',
      fen: toFen(f.fund_payamt_fen ?? 0),
    }));
  } else {
    funds = kFundFields
      .map(([field, fund]) => ({ fund, fund_pay_type: '', fen: fen(s, field) }))
      .filter((f) => f.fen !== 0n);
  }
  return {
    total: fen(s, 'medfee_sumamt_fen'),
    funds,
    fundTotal: fen(s, 'fund_pay_sumamt_fen'),
    own: [
      { key: 'preselfpay', fen: fen(s, 'preselfpay_amt_fen') },
      { key: 'overlmt', fen: fen(s, 'overlmt_selfpay_fen') },
      { key: 'fulamt', fen: fen(s, 'fulamt_ownpay_amt_fen') },
    ],
    ownTotal: fen(s, 'psn_part_amt_fen'),
    paid: [
      { key: 'acct', fen: fen(s, 'acct_pay_fen') },
      { key: 'cash', fen: fen(s, 'psn_cash_pay_fen') },
    ],
    balance: s.balc_fen === undefined || s.balc_fen === null ? null : toFen(s.balc_fen),
  };
}

// Whether the figures add up as a receipt's must: funds + the patient's part
// = total, account + cash = the patient's part. A receipt that does not is
// shown with a warning rather than silently.
export function receiptAddsUp(r) {
  const paid = r.paid.reduce((a, p) => a + p.fen, 0n);
  return r.fundTotal + r.ownTotal === r.total && paid === r.ownTotal;
}

// The details view's rows: [{field (the interface's name), raw (as
// answered), fen}] for every amount field the answer has.
export function detailRows(s) {
  return kAmountFields
    .filter((f) => s[f] !== undefined && s[f] !== null)
    .map((f) => ({ field: interfaceName(f), raw: String(s[f]), fen: toFen(s[f]) }));
}
