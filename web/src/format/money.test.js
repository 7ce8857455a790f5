import { describe, expect, test } from 'vitest';
import {
  compareFen,
  fenToYuanText,
  formatFen,
  lineAmountFen,
  quantityE4,
  sumFen,
  toFen,
  yuanTextToFen,
} from './money.js';

describe('formatFen', () => {
  test('zero', () => {
    expect(formatFen(0)).toBe('¥0.00');
    expect(formatFen(-0)).toBe('¥0.00');
  });
  test('one fen and one jiao', () => {
    expect(formatFen(1)).toBe('¥0.01');
    expect(formatFen(10)).toBe('¥0.10');
    expect(formatFen(99)).toBe('¥0.99');
    expect(formatFen(100)).toBe('¥1.00');
  });
  test('negative amounts keep their sign before the symbol', () => {
    expect(formatFen(-1)).toBe('-¥0.01');
    expect(formatFen(-15000)).toBe('-¥150.00');
    expect(formatFen(-123456789)).toBe('-¥1,234,567.89');
  });
  test('thousands are grouped', () => {
    expect(formatFen(123456)).toBe('¥1,234.56');
    expect(formatFen(100000)).toBe('¥1,000.00');
    expect(formatFen(99999)).toBe('¥999.99');
  });
  test('large amounts are exact to the fen', () => {
    expect(formatFen(Number.MAX_SAFE_INTEGER)).toBe('¥90,071,992,547,409.91');
    expect(formatFen(9007199254740993n)).toBe('¥90,071,992,547,409.93');
    expect(formatFen('123456789012345678901')).toBe('¥1,234,567,890,123,456,789.01');
  });
  test('no symbol, no grouping', () => {
    expect(formatFen(123456, { symbol: '' })).toBe('1,234.56');
    expect(fenToYuanText(123456)).toBe('1234.56');
    expect(fenToYuanText(-5)).toBe('-0.05');
  });
  test('refuses what is not integer fen', () => {
    expect(() => formatFen(0.1)).toThrow(RangeError);
    expect(() => formatFen(2 ** 53)).toThrow(RangeError);
    expect(() => formatFen('1.5')).toThrow(TypeError);
    expect(() => formatFen(null)).toThrow(TypeError);
    expect(() => toFen(undefined)).toThrow(TypeError);
  });
});

describe('yuanTextToFen', () => {
  test('reads the reports\' yuan text exactly', () => {
    expect(yuanTextToFen('7500.00')).toBe(750000n);
    expect(yuanTextToFen('-150.00')).toBe(-15000n);
    expect(yuanTextToFen('0.01')).toBe(1n);
    expect(yuanTextToFen('0.1')).toBe(10n);
    expect(yuanTextToFen('12')).toBe(1200n);
    expect(yuanTextToFen('90071992547409.93')).toBe(9007199254740993n);
  });
  test('refuses three decimals and words', () => {
    expect(() => yuanTextToFen('1.234')).toThrow(TypeError);
    expect(() => yuanTextToFen('abc')).toThrow(TypeError);
    expect(() => yuanTextToFen('')).toThrow(TypeError);
  });
});

describe('sums and order', () => {
  test('a sum is exact where floating point is not', () => {
    // 0.1 + 0.2 in yuan
    expect(sumFen([10, 20])).toBe(30n);
    expect(sumFen([105000, 280000, -385000])).toBe(0n);
    expect(sumFen([])).toBe(0n);
  });
  test('compareFen', () => {
    expect(compareFen(1, 2)).toBe(-1);
    expect(compareFen(-1, -2)).toBe(1);
    expect(compareFen('5', 5)).toBe(0);
  });
});

describe('lineAmountFen', () => {
  test('quantity times price, half away from zero', () => {
    expect(lineAmountFen('2', 1235)).toBe(2470n);
    expect(lineAmountFen('0.5', 1235)).toBe(618n); // 617.5 -> 618
    expect(lineAmountFen('-0.5', 1235)).toBe(-618n);
    expect(lineAmountFen('0.3333', 100)).toBe(33n);
    expect(lineAmountFen('0', 1235)).toBe(0n);
    expect(quantityE4('1.5')).toBe(15000n);
  });
});
