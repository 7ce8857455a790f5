// Helpers shared by the generators in this folder: a seeded PRNG, a compact
// JSON layout, and the write-or---check step every generator ends with.
// Everything is deterministic: no clock, no Math.random, no locale.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const dataDir = join(dirname(fileURLToPath(import.meta.url)), '..');

// mulberry32: small, fast, and identical on every Node version.
export function makeRng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int(lo, hi) { return lo + Math.floor(next() * (hi - lo + 1)); },  // inclusive
    pick(list) { return list[Math.floor(next() * list.length)]; },
    digits(n) { let s = ''; for (let i = 0; i < n; ++i) s += String(Math.floor(next() * 10)); return s; },
    chance(p) { return next() < p; },
  };
}

// JSON with 2-space indent, except that any value whose one-line form fits
// in `width` columns (counting its indent and key) stays on one line. Keeps
// files readable and small; the layout depends only on the value.
export function layout(value, width = 120, indent = '', prefixLength = 0) {
  const flat = JSON.stringify(value);
  if (value === null || typeof value !== 'object' || indent.length + prefixLength + flat.length <= width) return flat;
  const inner = indent + '  ';
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    return '[\n' + value.map((v) => inner + layout(v, width, inner, 0)).join(',\n') + '\n' + indent + ']';
  }
  const keys = Object.keys(value);
  if (keys.length === 0) return '{}';
  return '{\n' + keys.map((k) => {
    const key = JSON.stringify(k) + ': ';
    return inner + key + layout(value[k], width, inner, key.length);
  }).join(',\n') + '\n' + indent + '}';
}

// Writes `text` to data/<name>, or with --check compares and exits 1 on a
// difference. `what` describes the content for the log line.
export function writeOrCheck(tool, name, text, what) {
  const path = join(dataDir, name);
  if (process.argv.includes('--check')) {
    let current = null;
    try {
      current = readFileSync(path, 'utf8');
    } catch {
      // fall through: missing counts as different
    }
    if (current !== text) {
      console.error(`${tool} --check: ${name} differs from what the generator makes; run node tools/${tool}.mjs`);
      process.exit(1);
    }
    console.log(`${tool} --check: ${name} up to date (${what})`);
  } else {
    writeFileSync(path, text);
    console.log(`${tool}: wrote ${name} (${what})`);
  }
}

export function pad(n, width) {
  return String(n).padStart(width, '0');
}
