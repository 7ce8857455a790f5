import { describe, expect, test } from 'vitest';
import { regionLabel, regionName } from './region.js';

describe('region names', () => {
  test('a province or any code within it, in either language', () => {
    expect(regionName('110000')).toBe('北京');
    expect(regionName('120103')).toBe('天津');
    expect(regionName('130500', 'en')).toBe('Hebei');
    expect(regionLabel('130500')).toBe('河北 (130500)');
  });
  test('a code of elsewhere, or not a code, is shown as it is', () => {
    expect(regionName('310000')).toBe('310000');
    expect(regionLabel('310000')).toBe('310000');
    expect(regionName('*')).toBe('*');
    expect(regionName(null)).toBe('');
  });
});
