// DataTable's logic, apart from its markup: sorting the rows of a page by a
// column (stable, empty values last, money compared exactly), the cycle of a
// column header's sort button, and the cursor over a server's pages
// (page_size/page_token; the server gives next_page_token, the way back is
// the tokens already seen).
import { compareFen, yuanTextToFen } from '../format/money.js';

const collator = new Intl.Collator('zh-CN', { numeric: true });

function isEmpty(v) {
  return v === null || v === undefined || v === '';
}

// Compares two cell values of a column of kind 'text' | 'number' | 'fen'
// (integer fen) | 'yuan' (the reports' yuan text).
export function compareValues(a, b, kind = 'text') {
  if (isEmpty(a) || isEmpty(b)) return isEmpty(a) === isEmpty(b) ? 0 : isEmpty(a) ? 1 : -1;
  switch (kind) {
    case 'fen':
      return compareFen(a, b);
    case 'yuan': {
      const x = yuanTextToFen(a);
      const y = yuanTextToFen(b);
      return x < y ? -1 : x > y ? 1 : 0;
    }
    case 'number': {
      const x = Number(a);
      const y = Number(b);
      return x < y ? -1 : x > y ? 1 : 0;
    }
    default:
      return collator.compare(String(a), String(b));
  }
}

// The rows sorted by `key` ('asc' | 'desc'; anything else: as given). A new
// array; rows with equal values keep their order; empty values stay last in
// both directions.
export function sortRows(rows, key, direction, kind = 'text', valueOf = (row) => row[key]) {
  if (!key || (direction !== 'asc' && direction !== 'desc')) return rows.slice();
  const sign = direction === 'asc' ? 1 : -1;
  return rows
    .map((row, index) => ({ row, index, value: valueOf(row) }))
    .sort((x, y) => {
      const ex = isEmpty(x.value);
      const ey = isEmpty(y.value);
      if (ex || ey) return ex === ey ? x.index - y.index : ex ? 1 : -1;
      return sign * compareValues(x.value, y.value, kind) || x.index - y.index;
    })
    .map((e) => e.row);
}

// The next sort state after a click on a column's header: a new column
// starts ascending; the same column goes ascending, descending, unsorted.
export function nextSort(state, key) {
  if (!state || state.key !== key) return { key, direction: 'asc' };
  if (state.direction === 'asc') return { key, direction: 'desc' };
  return { key: null, direction: null };
}

// aria-sort of a column's header for a sort state.
export function ariaSort(state, key) {
  if (!state || state.key !== key) return 'none';
  return state.direction === 'asc' ? 'ascending' : state.direction === 'desc' ? 'descending' : 'none';
}

// Where a reader is in a server's paged list: tokens[i] is the page_token of
// page i ('' for the first); `next` is the token the current page's answer
// gave (null at the last page).
export class PageCursor {
  constructor() {
    this.tokens = [''];
    this.index = 0;
    this.next = null;
  }
  get token() {
    return this.tokens[this.index];
  }
  get page() {
    return this.index + 1;
  }
  get hasPrev() {
    return this.index > 0;
  }
  get hasNext() {
    return !!this.next;
  }
  // The answer of the current page arrived, with its next_page_token.
  answered(nextToken) {
    this.next = nextToken || null;
  }
  // Moves to the next page; returns its token, or null when there is none.
  forward() {
    if (!this.next) return null;
    this.tokens = this.tokens.slice(0, this.index + 1);
    this.tokens.push(this.next);
    this.index += 1;
    this.next = null;
    return this.token;
  }
  back() {
    if (this.index === 0) return null;
    this.index -= 1;
    this.next = this.tokens[this.index + 1] || null;
    return this.token;
  }
  reset() {
    this.tokens = [''];
    this.index = 0;
    this.next = null;
  }
}
