// The differences of a kept reconciliation (GET /api/v1/clearing/
// reconciliations) as the message key and parameters that name each one:
// 3202's by setl_id (missing on one side, or the fields that differ with
// the hospital's and the exchange's values), 3201's by figure (amounts in
// integer fen, formatted through format/money.js).
import { formatFen } from '../format/money.js';

const kOutcomes = {
  missing_on_platform: 'clearing.recon.missingOnPlatform',
  missing_at_hospital: 'clearing.recon.missingAtHospital',
  differing: 'clearing.recon.differing',
};

export function describeDifference(d) {
  if (d && d.setl_id !== undefined) {
    return {
      key: kOutcomes[d.outcome] || 'clearing.recon.differing',
      params: { setl_id: d.setl_id, fields: (d.fields || []).join(', '), dscr: d.dscr || '' },
    };
  }
  const money = d.field !== 'fixmedins_setl_cnt';
  const show = (v) => (money ? formatFen(v) : String(v));
  return {
    key: 'clearing.recon.figure',
    params: {
      field: d.field,
      hospital: show(d.hospital_fen ?? d.hospital),
      platform: show(d.platform_fen ?? d.platform),
      difference: show(d.difference_fen ?? d.difference),
    },
  };
}

// How many differences were left out of the list (the server keeps the
// first 200 and counts them all).
export function differencesLeftOut(row) {
  const shown = (row.differences || []).length;
  return Math.max(0, (row.differences_total || 0) - shown);
}
