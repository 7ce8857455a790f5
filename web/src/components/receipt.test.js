import { describe, expect, test } from 'vitest';
import { detailRows, interfaceName, receiptAddsUp, receiptOf } from './receipt.js';

// A settlement as GET /api/v1/settlements/{setl_id} answers it (1,000.00
// yuan: 600.00 pooled, 50.00 large-amount; the patient 350.00 of which
// 100.00 upfront, 30.00 over the price cap, 20.00 own-pay; 120.00 from the
// personal account, 230.00 cash).
const settlement = {
  setl_id: 'S1',
  medfee_sumamt_fen: 100000,
  fulamt_ownpay_amt_fen: 2000,
  overlmt_selfpay_fen: 3000,
  preselfpay_amt_fen: 10000,
  inscp_scp_amt_fen: 95000,
  hifp_pay_fen: 60000,
  hifob_pay_fen: 5000,
  hifmi_pay_fen: 0,
  fund_pay_sumamt_fen: 65000,
  psn_part_amt_fen: 35000,
  acct_pay_fen: 12000,
  psn_cash_pay_fen: 23000,
  balc_fen: 88000,
};

describe('receiptOf', () => {
  test('from the summary columns: only the funds that paid', () => {
    const r = receiptOf(settlement);
    expect(r.total).toBe(100000n);
    expect(r.funds).toEqual([
      { fund: 'pooled', fund_pay_type: '', fen: 60000n },
      { fund: 'large_amount', fund_pay_type: '', fen: 5000n },
    ]);
    expect(r.own.map((o) => [o.key, o.fen])).toEqual([
      ['preselfpay', 10000n],
      ['overlmt', 3000n],
      ['fulamt', 2000n],
    ]);
    expect(r.paid.map((p) => p.fen)).toEqual([12000n, 23000n]);
    expect(r.balance).toBe(88000n);
    expect(receiptAddsUp(r)).toBe(true);
  });
  test('from the settlement\'s fund rows when it has them', () => {
    const r = receiptOf({
      ...settlement,
      funds: [
        { fund_pay_type: '310100', fund: 'pooled', fund_payamt_fen: 60000 },
        { fund_pay_type: '390200', fund: 'large_amount', fund_payamt_fen: 5000 },
      ],
    });
    expect(r.funds.map((f) => f.fund_pay_type)).toEqual(['310100', '390200']);
  });
  test('fund rows naming only their type are named by the fund they pay from', () => {
    const r = receiptOf({
      ...settlement,
      funds: [
        { fund_pay_type: '310100', fund_pay_type_name: '统筹', fund_payamt_fen: 60000 },
        { fund_pay_type: '330100', fund_payamt_fen: 5000 },
        { fund_pay_type: '123456', fund_payamt_fen: 0 },
      ],
    });
    expect(r.funds.map((f) => f.fund)).toEqual(['pooled', 'large_amount', '']);
    expect(r.funds[0].name).toBe('统筹');
  });
  test('figures that do not add up are noticed', () => {
    expect(receiptAddsUp(receiptOf({ ...settlement, psn_cash_pay_fen: 22999 }))).toBe(false);
    expect(receiptAddsUp(receiptOf({ ...settlement, fund_pay_sumamt_fen: 64999 }))).toBe(false);
  });
});

describe('details', () => {
  test('the interface\'s names with the raw values', () => {
    expect(interfaceName('medfee_sumamt_fen')).toBe('medfee_sumamt');
    const rows = detailRows(settlement);
    expect(rows[0]).toEqual({ field: 'medfee_sumamt', raw: '100000', fen: 100000n });
    expect(rows.map((r) => r.field)).toContain('balc');
    expect(rows.map((r) => r.field)).not.toContain('oth_pay'); // not in the answer
  });
});
