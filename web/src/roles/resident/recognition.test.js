import { describe, expect, test } from 'vitest';
import { recognitionText } from './recognition.js';

const words = { why: (s) => `why:${s}`, until: (at) => `until:${at}` };

describe('a result in one region', () => {
  test('recognised: until when', () => {
    expect(recognitionText({ region: '120000', status: 'recognised', expires_at: '2024-05-08 08:00:00' }, words)).toBe(
      'until:2024-05-08 08:00:00',
    );
  });
  test('not recognised: why, even when it has an expiry', () => {
    expect(recognitionText({ region: '110000', status: 'expired', expires_at: '2024-05-08 08:00:00' }, words)).toBe('why:expired');
    expect(recognitionText({ region: '130000', status: 'not_listed_here' }, words)).toBe('why:not_listed_here');
  });
  test('no answer for the region: nothing', () => {
    expect(recognitionText(null, words)).toBe('');
  });
});
