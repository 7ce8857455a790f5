// Column helpers for DataTable: money in yuan from integer fen (or from the
// reports' yuan text), Beijing times, region names; all formatting through
// format/money.js and format/time.js.
import { formatFen, yuanTextToFen } from '../format/money.js';
import { formatBeijing } from '../format/time.js';
import { regionLabel } from '../format/region.js';

export function fenColumn(key, label) {
  return { key, label, kind: 'fen', align: 'end', format: (v) => (v === null || v === undefined ? '' : formatFen(v, { symbol: '' })) };
}

export function yuanColumn(key, label) {
  return {
    key,
    label,
    kind: 'yuan',
    align: 'end',
    format: (v) => (v === null || v === undefined || v === '' ? '' : formatFen(yuanTextToFen(v), { symbol: '' })),
  };
}

export function timeColumn(key, label) {
  return { key, label, kind: 'text', format: (v) => formatBeijing(v) };
}

export function regionColumn(key, label, locale) {
  return { key, label, kind: 'text', format: (v) => regionLabel(v, locale) };
}

// "¥1,234.56" from a yuan text ("1234.56"), for figures outside tables.
export function yuanText(v) {
  return formatFen(yuanTextToFen(v));
}
