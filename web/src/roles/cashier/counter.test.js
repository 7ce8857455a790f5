import { describe, expect, test } from 'vitest';
import { feesBody, itemOf, lineOf, personOf, settlementOf, visitBody } from './counter.js';

describe('counter requests', () => {
  test('fee lines: amount rounded half away from zero, money as exact text and fen', () => {
    const item = itemOf({ med_list_codg: 'XM001', hilist_name: '血常规', pric_fen: 1235 });
    expect(item.price_fen).toBe(1235n);
    const line = lineOf(item, '0.5', item.price_fen);
    expect(line.amount_fen).toBe(618n);
    const body = feesBody([line], '2026-12-07 09:00:00');
    expect(body.feedetail[0]).toMatchObject({
      med_list_codg: 'XM001',
      cnt: '0.5',
      pric: '12.35',
      pric_fen: 1235,
      det_item_fee_sumamt: '6.18',
      det_item_fee_sumamt_fen: 618,
      fee_ocur_time: '2026-12-07 09:00:00',
    });
  });
  test('a visit body leaves out what was not given', () => {
    expect(visitBody({ kind: 'outpatient', psn_no: 'P1', insutype: '310', med_type: '11', dise_codg: '' })).toEqual({
      kind: 'outpatient',
      psn_no: 'P1',
      insutype: '310',
      med_type: '11',
    });
  });
});

describe('counter answers', () => {
  test('a person nested as the interface gives it, or flat', () => {
    const nested = personOf({ baseinfo: { psn_no: 'P1', psn_name: '张三' }, insuinfo: [{ insutype: '310' }] });
    expect(nested.base.psn_name).toBe('张三');
    expect(nested.enrollments).toHaveLength(1);
    const flat = personOf({ psn_no: 'P1', enrollments: [{ insutype: '390' }] });
    expect(flat.base.psn_no).toBe('P1');
    expect(flat.enrollments[0].insutype).toBe('390');
  });
  test('a settle answer\'s settlement with its fund rows', () => {
    const s = settlementOf({ setlinfo: { setl_id: 'S1', medfee_sumamt_fen: 100 }, setldetail: [{ fund_pay_type: '310100' }] });
    expect(s.setl_id).toBe('S1');
    expect(s.medfee_sumamt_fen).toBe(100);
    expect(s.funds).toHaveLength(1);
    expect(settlementOf({ setl_id: 'S2' }).setl_id).toBe('S2');
  });
});
