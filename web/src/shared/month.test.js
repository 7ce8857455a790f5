import { describe, expect, test } from 'vitest';
import { chartNumber, matrixTotals, monthDays } from './month.js';

describe('month figures', () => {
  test('the days of a month, February of a leap year too', () => {
    expect(monthDays('202611')).toEqual(['2026-11-01', '2026-11-30']);
    expect(monthDays('202402')).toEqual(['2024-02-01', '2024-02-29']);
    expect(monthDays('202512')).toEqual(['2025-12-01', '2025-12-31']);
  });
  test('the matrix of the worked example (docs/clearing.md): rows owe columns', () => {
    const matrix = {
      provinces: ['110000', '120000', '130000'],
      owed: [
        ['0.00', '0.00', '300.00'],
        ['1200.00', '0.00', '3500.00'],
        ['150.00', '7500.00', '0.00'],
      ],
    };
    const t = matrixTotals(matrix);
    expect(t.rows).toEqual([30000n, 470000n, 765000n]); // payable
    expect(t.columns).toEqual([135000n, 750000n, 380000n]); // receivable
    expect(t.all).toBe(1265000n);
    expect(chartNumber('7500.10')).toBe(7500.1);
  });
});
