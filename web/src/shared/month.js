// A clearing month's figures for the pages: the first and last day of a
// month yyyyMM (the drill-down's from/to), the matrix's totals in exact fen,
// and the chart's series (numbers of yuan, for drawing only: every figure a
// person reads comes from the exact text).
import { yuanTextToFen } from '../format/money.js';

// ['2026-11-01', '2026-11-30'] for '202611'.
export function monthDays(setlym) {
  const s = String(setlym);
  const year = Number(s.slice(0, 4));
  const month = Number(s.slice(4, 6));
  const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const mm = String(month).padStart(2, '0');
  return [`${year}-${mm}-01`, `${year}-${mm}-${String(last).padStart(2, '0')}`];
}

// Row sums (payable, as insurance place), column sums (receivable, as
// treatment place) and the whole, in fen, of matrix.owed (yuan text).
export function matrixTotals(matrix) {
  const owed = (matrix && matrix.owed) || [];
  const n = ((matrix && matrix.provinces) || []).length;
  const rows = owed.map((r) => r.reduce((a, v) => a + yuanTextToFen(v), 0n));
  const columns = Array.from({ length: n }, (_, j) => owed.reduce((a, r) => a + yuanTextToFen(r[j]), 0n));
  const all = rows.reduce((a, v) => a + v, 0n);
  return { rows, columns, all };
}

// A yuan text as a Number of yuan, for a chart's scale only.
export function chartNumber(yuanText) {
  const fen = yuanTextToFen(yuanText);
  return Number(fen) / 100;
}
