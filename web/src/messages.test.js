// Every message key the sources name literally (t('a.b')) exists in both
// languages: a missing key would show as its own name on the page.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import base from './messages.js';
import { roles } from './roles/index.js';
import { messagesOf } from './roles/registry.js';

function files(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return files(p);
    return /\.(vue|js)$/.test(name) && !name.endsWith('.test.js') ? [p] : [];
  });
}
function lookup(messages, key) {
  return key.split('.').reduce((v, k) => (v && typeof v === 'object' ? v[k] : undefined), messages);
}

describe('message keys', () => {
  test('every literal key exists in zh-CN and en', () => {
    const messages = messagesOf(roles, base);
    const missing = [];
    for (const file of files(new URL('.', import.meta.url).pathname)) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/\bt\('([a-zA-Z0-9_.]+)'/g)) {
        for (const locale of ['zh-CN', 'en']) {
          if (typeof lookup(messages[locale], m[1]) !== 'string') missing.push(`${locale} ${m[1]} (${file})`);
        }
      }
      for (const m of text.matchAll(/label: '([a-z]+\.[a-zA-Z0-9_.]+)'/g)) {
        if (typeof lookup(messages['zh-CN'], m[1]) !== 'string') missing.push(`zh-CN ${m[1]} (${file})`);
      }
    }
    expect(missing).toEqual([]);
  });
});
