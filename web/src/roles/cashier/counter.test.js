import { describe, expect, test } from 'vitest';
import { feesBody, itemOf, lineOf, personOf, settlementOf, visitBody } from './counter.js';

describe('counter requests', () => {
  test('fee lines: quantity × price rounded half away from zero; sent as cnt text and pric_fen', () => {
    const item = itemOf({ med_list_codg: 'XM001', hilist_name: '血常规', chrgitm_lv: '01', pric_uplmt_amt_fen: 1235 });
    expect(item.cap_fen).toBe(1235n);
    const line = lineOf(item, '0.5', '12.35');
    expect(line.price_fen).toBe(1235n);
    expect(line.amount_fen).toBe(618n);
    expect(feesBody([line])).toEqual({ fees: [{ med_list_codg: 'XM001', cnt: '0.5', pric_fen: 1235 }] });
  });
  test('a quantity or price that is not such a number gives no line', () => {
    const item = itemOf({ med_list_codg: 'X' });
    expect(item.cap_fen).toBe(null);
    expect(lineOf(item, '1.23456', '1.00')).toBe(null);
    expect(lineOf(item, '1', '1.001')).toBe(null);
    expect(lineOf(item, '-1', '1.00')).toBe(null);
    expect(lineOf(item, '', '1.00')).toBe(null);
  });
  test('a visit body leaves out what was not given; a diagnosis goes with its name', () => {
    const b = { kind: 'outpatient', psn_no: 'P1', insutype: '310', begntime: '2026-12-08 09:00:00' };
    expect(visitBody({ ...b, med_type: '11', dise_codg: '' })).toEqual({ ...b, med_type: '11' });
    expect(visitBody({ ...b, dise_codg: 'J06.9', dise_name: '' })).toEqual({ ...b, dise_codg: 'J06.9', dise_name: 'J06.9' });
  });
});

describe('counter answers', () => {
  test('the person: base information and enrollments', () => {
    const p = personOf({
      psn_no: 'P1',
      psn_name: '张三',
      insutype: '310',
      baseinfo: { psn_no: 'P1', psn_name: '张三', gend: '2' },
      insuinfo: [{ insutype: '310', insuplc_admdvs: '130500', balc_fen: 300000 }],
    });
    expect(p.base.psn_name).toBe('张三');
    expect(p.base.gend).toBe('2');
    expect(p.enrollments).toEqual([{ insutype: '310', insuplc_admdvs: '130500', balc_fen: 300000 }]);
    expect(personOf({ psn_no: 'P2', insutype: '390', insuplc_admdvs: '110000', balc_fen: 1 }).enrollments[0].insutype).toBe('390');
  });
  test('a settle answer as a settlement: the receipt\'s fen and the ids', () => {
    const s = settlementOf({
      setl_id: 'S1',
      mdtrt_id: 'M1',
      psn_no: 'P1',
      orig_setl_id: '',
      receipt: { medfee_sumamt: '1.00', medfee_sumamt_fen: 100, funds: [{ fund_pay_type: '310100', fund_payamt_fen: 60 }] },
      setlinfo: { ignored: true },
    });
    expect(s).toEqual({
      setl_id: 'S1',
      mdtrt_id: 'M1',
      psn_no: 'P1',
      medfee_sumamt: '1.00',
      medfee_sumamt_fen: 100,
      funds: [{ fund_pay_type: '310100', fund_payamt_fen: 60 }],
    });
  });
});
