import { describe, expect, test } from 'vitest';
import { PageCursor, ariaSort, compareValues, nextSort, sortRows } from './table.js';

const rows = [
  { id: 'a', name: '河北', amount_fen: 1000, yuan: '10.00' },
  { id: 'b', name: '北京', amount_fen: -5, yuan: '-0.05' },
  { id: 'c', name: '天津', amount_fen: null, yuan: '' },
  { id: 'd', name: '北京', amount_fen: 9007199254740993n, yuan: '90071992547409.93' },
  { id: 'e', name: 'Beijing 2', amount_fen: 1000, yuan: '9.99' },
];
const ids = (list) => list.map((r) => r.id).join('');

describe('sortRows', () => {
  test('money ascending and descending, empty last both ways, ties stable', () => {
    expect(ids(sortRows(rows, 'amount_fen', 'asc', 'fen'))).toBe('baedc');
    expect(ids(sortRows(rows, 'amount_fen', 'desc', 'fen'))).toBe('daebc');
  });
  test('yuan text compared as money, not as text', () => {
    expect(ids(sortRows(rows, 'yuan', 'asc', 'yuan'))).toBe('beadc');
  });
  test('unsorted keeps the server order and never changes the input', () => {
    const before = ids(rows);
    expect(ids(sortRows(rows, 'amount_fen', null, 'fen'))).toBe(before);
    sortRows(rows, 'name', 'desc');
    expect(ids(rows)).toBe(before);
  });
  test('text with numbers in natural order', () => {
    const list = [{ v: 'H10' }, { v: 'H9' }, { v: 'H100' }];
    expect(sortRows(list, 'v', 'asc').map((r) => r.v)).toEqual(['H9', 'H10', 'H100']);
    expect(compareValues('2', '10', 'number')).toBe(-1);
    expect(compareValues('2', '10', 'text')).toBe(-1);
  });
});

describe('sort buttons', () => {
  test('a header cycles ascending, descending, unsorted; another column starts over', () => {
    let s = nextSort(null, 'a');
    expect(s).toEqual({ key: 'a', direction: 'asc' });
    expect(ariaSort(s, 'a')).toBe('ascending');
    expect(ariaSort(s, 'b')).toBe('none');
    s = nextSort(s, 'a');
    expect(ariaSort(s, 'a')).toBe('descending');
    expect(nextSort(s, 'b')).toEqual({ key: 'b', direction: 'asc' });
    s = nextSort(s, 'a');
    expect(s.key).toBe(null);
    expect(ariaSort(s, 'a')).toBe('none');
  });
});

describe('PageCursor', () => {
  test('forward with the server\'s tokens and back again', () => {
    const c = new PageCursor();
    expect(c.token).toBe('');
    expect(c.hasPrev).toBe(false);
    expect(c.hasNext).toBe(false);
    c.answered('t2');
    expect(c.hasNext).toBe(true);
    expect(c.forward()).toBe('t2');
    expect(c.page).toBe(2);
    c.answered('t3');
    expect(c.forward()).toBe('t3');
    c.answered(null);
    expect(c.hasNext).toBe(false);
    expect(c.forward()).toBe(null);
    expect(c.back()).toBe('t2');
    expect(c.hasNext).toBe(true); // the page after is known
    expect(c.back()).toBe('');
    expect(c.back()).toBe(null);
    expect(c.page).toBe(1);
  });
  test('reset goes to the first page', () => {
    const c = new PageCursor();
    c.answered('x');
    c.forward();
    c.reset();
    expect(c.page).toBe(1);
    expect(c.token).toBe('');
  });
});
