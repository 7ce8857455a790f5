import { describe, expect, test } from 'vitest';
import { fenColumn, regionColumn, timeColumn, yuanColumn, yuanText } from './columns.js';

describe('table columns', () => {
  test('money from fen and from the reports\' yuan text, right-aligned, sorted as money', () => {
    const f = fenColumn('amount_fen', 'Amount');
    expect([f.kind, f.align, f.format(123456), f.format(-5), f.format(null)]).toEqual(['fen', 'end', '1,234.56', '-0.05', '']);
    const y = yuanColumn('total', 'Total');
    expect([y.kind, y.format('7500.1'), y.format('')]).toEqual(['yuan', '7,500.10', '']);
    expect(yuanText('-150.00')).toBe('-¥150.00');
  });
  test('times in Beijing and regions by name', () => {
    expect(timeColumn('t', 'T').format('2026-12-07T16:30:00Z')).toBe('2026-12-08 00:30:00');
    expect(regionColumn('r', 'R', 'en').format('120000')).toBe('Tianjin (120000)');
  });
});
