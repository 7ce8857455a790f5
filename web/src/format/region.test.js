import { describe, expect, test } from 'vitest';
import { placeName, regionLabel, regionName } from './region.js';

describe('region names', () => {
  test('a province or any code within it, in either language', () => {
    expect(regionName('110000')).toBe('北京');
    expect(regionName('120103')).toBe('天津');
    expect(regionName('130500', 'en')).toBe('Hebei');
  });
  test('the place a code names, after its province', () => {
    expect(placeName('130500')).toBe('河北 邢台市');
    expect(placeName('130100', 'en')).toBe('Hebei 石家庄市');
    expect(placeName('120103')).toBe('天津 河西区');
    expect(placeName('110000')).toBe('北京');
    expect(placeName('110100')).toBe('北京');  // 市辖区 is not a place
    expect(regionLabel('130500')).toBe('河北 邢台市 (130500)');
    expect(regionLabel('120000')).toBe('天津 (120000)');
  });
  test('a code of elsewhere, or not a code, is shown as it is', () => {
    expect(regionName('310000')).toBe('310000');
    expect(regionLabel('310000')).toBe('310000');
    expect(placeName('310000')).toBe('310000');
    expect(regionName('*')).toBe('*');
    expect(regionName(null)).toBe('');
  });
});
