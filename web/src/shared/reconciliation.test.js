import { describe, expect, test } from 'vitest';
import { describeDifference, differencesLeftOut } from './reconciliation.js';

describe('reconciliation differences', () => {
  test('a 3202 record missing at the hospital is named by setl_id', () => {
    const d = describeDifference({ setl_id: 'S1', outcome: 'missing_at_hospital', fields: [], dscr: '' });
    expect(d.key).toBe('clearing.recon.missingAtHospital');
    expect(d.params.setl_id).toBe('S1');
  });
  test('a 3202 differing record carries its fields and description', () => {
    const d = describeDifference({
      setl_id: 'S2',
      outcome: 'differing',
      fields: ['medfee_sumamt', 'acct_pay'],
      dscr: 'medfee_sumamt: hospital 101.00, platform 100.00',
    });
    expect(d.key).toBe('clearing.recon.differing');
    expect(d.params.fields).toBe('medfee_sumamt, acct_pay');
    expect(d.params.dscr).toContain('hospital 101.00');
  });
  test('a 3201 figure shows the amounts from fen, the count as a count', () => {
    const m = describeDifference({ field: 'medfee_sumamt', hospital_fen: 10100, platform_fen: 10000, difference_fen: 100 });
    expect(m.key).toBe('clearing.recon.figure');
    expect(m.params).toEqual({ field: 'medfee_sumamt', hospital: '¥101.00', platform: '¥100.00', difference: '¥1.00' });
    const c = describeDifference({ field: 'fixmedins_setl_cnt', hospital_fen: undefined, hospital: 2, platform: 3, difference: -1 });
    expect(c.params).toEqual({ field: 'fixmedins_setl_cnt', hospital: '2', platform: '3', difference: '-1' });
  });
  test('the differences left out of the list are counted', () => {
    expect(differencesLeftOut({ differences: [{}, {}], differences_total: 250 })).toBe(248);
    expect(differencesLeftOut({ differences: [{}], differences_total: 1 })).toBe(0);
  });
});
