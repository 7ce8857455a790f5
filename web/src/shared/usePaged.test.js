import { describe, expect, test } from 'vitest';
import { usePaged } from './usePaged.js';

// A server's list of 5 rows in pages of 2: the token is the next row's index.
const rows = ['a', 'b', 'c', 'd', 'e'];
function server(asked) {
  return async (token) => {
    asked.push(token);
    const from = token ? Number(token) : 0;
    const next = from + 2 < rows.length ? String(from + 2) : null;
    return { rows: rows.slice(from, from + 2), next };
  };
}

describe('usePaged', () => {
  test('walks the pages with the server\'s tokens and back', async () => {
    const asked = [];
    const list = usePaged(server(asked));
    await list.reload();
    expect(list.state.rows).toEqual(['a', 'b']);
    expect([list.state.page, list.state.hasPrev, list.state.hasNext]).toEqual([1, false, true]);
    await list.next();
    await list.next();
    expect(list.state.rows).toEqual(['e']);
    expect([list.state.page, list.state.hasNext]).toEqual([3, false]);
    await list.next(); // no page after the last: nothing asked
    await list.prev();
    expect(list.state.rows).toEqual(['c', 'd']);
    expect(asked).toEqual(['', '2', '4', '2']);
  });
  test('a refusal is kept for the page to show, and retry asks the same page again', async () => {
    let fail = true;
    const asked = [];
    const list = usePaged(async (token) => {
      asked.push(token);
      if (fail) throw Object.assign(new Error('x'), { err_code: 'XT-API-001', err_msg: 'bad' });
      return { rows: ['a'], next: null };
    });
    await list.reload();
    expect(list.state.error.err_code).toBe('XT-API-001');
    expect(list.state.rows).toEqual([]);
    fail = false;
    await list.retry();
    expect(list.state.error).toBe(null);
    expect(list.state.rows).toEqual(['a']);
    expect(asked).toEqual(['', '']);
  });
  test('an answer that arrives after a newer request is dropped', async () => {
    const waits = [];
    const list = usePaged(() => {
      const n = waits.length + 1;
      return new Promise((resolve) => waits.push(() => resolve({ rows: [`answer ${n}`], next: null })));
    });
    const first = list.reload();
    const second = list.reload();
    waits[1]();
    await second;
    expect(list.state.rows).toEqual(['answer 2']);
    waits[0]();
    await first;
    expect(list.state.rows).toEqual(['answer 2']);
    expect(list.state.loading).toBe(false);
  });
});
