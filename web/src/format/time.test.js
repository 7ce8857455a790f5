import { describe, expect, test } from 'vitest';
import { beijingDate, formatBeijing, formatMonth, previousMonth } from './time.js';

describe('formatBeijing', () => {
  test('local server text is already Beijing time', () => {
    expect(formatBeijing('2026-11-29 08:30:00')).toBe('2026-11-29 08:30:00');
    expect(formatBeijing('2026-11-29T08:30')).toBe('2026-11-29 08:30:00');
    expect(formatBeijing('20261129083000')).toBe('2026-11-29 08:30:00');
  });
  test('a UTC instant is shown eight hours later', () => {
    expect(formatBeijing('2026-11-29T16:30:00Z')).toBe('2026-11-30 00:30:00');
    expect(formatBeijing(new Date(Date.UTC(2026, 11, 31, 16, 0, 0)))).toBe('2027-01-01 00:00:00');
  });
  test('empty and unknown', () => {
    expect(formatBeijing('')).toBe('');
    expect(formatBeijing(null)).toBe('');
    expect(formatBeijing('soon')).toBe('soon');
  });
  test('the day and the month before in Beijing', () => {
    // 2026-01-31 17:00 UTC is 1 February 01:00 in Beijing.
    const t = new Date(Date.UTC(2026, 0, 31, 17, 0, 0));
    expect(beijingDate(t)).toBe('2026-02-01');
    expect(previousMonth(t)).toBe('202601');
    expect(previousMonth(new Date(Date.UTC(2026, 0, 10)))).toBe('202512');
    expect(formatMonth('202611')).toBe('2026-11');
  });
});
