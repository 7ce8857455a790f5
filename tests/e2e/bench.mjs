// Figures of the web application (docs/benchmarks.md, "Web application"),
// measured apart from the tests:
//   - the first page usable: from navigation to the sign-in form visible, on
//     loopback, each in a fresh browser context (a cold cache); median of N;
//   - the shipped assets: web/dist, raw and gzip (what the server sends a
//     browser that accepts gzip), and what the sign-in page transfers;
//   - the cashier's settle click to the receipt shown, p50 and p95, on an
//     idle server and while `xietong loadgen` offers its paced settlements
//     (the paced phase of scripts/bench-http.sh) to the same server.
// Usage: node tests/e2e/bench.mjs [--runs N] [--settles N] [--rate R] [--no-load]
// (after bash scripts/build.sh; XIETONG_BINARY=PATH for another build).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const xt = process.env.XIETONG_BINARY || join(root, 'build', 'xietong');
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const kRuns = arg('runs', 15); // sample: cold loads measured
const kSettles = arg('settles', 20); // sample: settle clicks per phase
const kRate = arg('rate', 2000); // loadgen's default paced rate (settlements/s)
const withLoad = !process.argv.includes('--no-load');
const kPassword = 'sample-bench-password-2026';

function run(cmd, args, input) {
  const r = spawnSync(cmd, args, { input, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr || r.stdout}`);
  return r.stdout;
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
const quantile = (xs, q) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil(q * xs.length) - 1)];
const ms = (x) => `${x.toFixed(0)} ms`;
const kib = (b) => `${(b / 1024).toFixed(1)} KiB`;

// The assets, raw and gzip-9 (text assets; others as they are).
function assetSizes() {
  const dist = join(root, 'web', 'dist');
  let raw = 0;
  let gz = 0;
  const rows = [];
  const walk = (dir) => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (!name.endsWith('.gz')) {
        const bytes = readFileSync(p);
        const z = /\.(js|css|html|svg|json|txt|map)$/.test(name) ? gzipSync(bytes, { level: 9 }).length : bytes.length;
        raw += bytes.length;
        gz += z;
        rows.push({ file: p.slice(dist.length + 1), raw: bytes.length, gz: z });
      }
    }
  };
  walk(dist);
  rows.sort((a, b) => b.raw - a.raw);
  return { raw, gz, files: rows.length, largest: rows.slice(0, 3) };
}

const dir = mkdtempSync(join(tmpdir(), 'xt-web-bench-'));
const db = join(dir, 'bench.db');
let server = null;
let load = null;
try {
  run(xt, ['demo', '--db', db]);
  run(xt, ['users', 'add', '--db', db, '--username', 'bench.cashier', '--role', 'hospital', '--duty', 'cashier',
    '--scope', 'H12010300001', '--name', 'Sample cashier', '--password-stdin'], `${kPassword}\n`);
  writeFileSync(join(dir, 'keys.jsonl'), run(xt, ['credentials', 'issue', '--db', db, '--role', 'hospital', '--all-institutions', '--label', 'bench', '--json']));
  server = spawn(xt, ['serve', '--db', db, '--listen', '127.0.0.1:0', '--web', join(root, 'web', 'dist'), '--access-log', 'false'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const base = await new Promise((resolve, reject) => {
    let out = '';
    server.stdout.on('data', (d) => {
      out += d;
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) resolve(m[1]);
    });
    server.on('exit', (code) => reject(new Error(`xietong serve exited ${code}`)));
  });
  writeFileSync(join(dir, 'users.json'), JSON.stringify({ password: kPassword, cashier: { username: 'bench.cashier' } }));
  Object.assign(process.env, {
    XT_E2E_BASE_URL: base,
    XT_E2E_USERS: join(dir, 'users.json'),
    XT_E2E_CHROMIUM: process.env.XT_E2E_CHROMIUM || run('bash', ['-c', 'command -v chromium']).trim(),
  });
  const { launch, newPage, signIn } = await import('./lib.mjs');
  const browser = await launch();

  // First page usable, cold.
  const cold = [];
  let transferred = 0;
  for (let i = 0; i < kRuns + 1; i++) {
    const page = await newPage(browser, { locale: 'zh-CN' });
    const t0 = performance.now();
    await page.goto(`${base}/signin`);
    await page.getByLabel('用户名').waitFor({ state: 'visible' });
    const t = performance.now() - t0;
    if (i > 0) cold.push(t); // the first warms the browser process, not the page
    transferred = await page.evaluate(() =>
      [performance.getEntriesByType('navigation')[0], ...performance.getEntriesByType('resource')].reduce((a, e) => a + e.transferSize, 0),
    );
    await page.context().close();
  }

  // Settle click to the receipt shown.
  async function settleClicks(n) {
    const page = await newPage(browser);
    await signIn(page, 'cashier');
    const times = [];
    for (let i = 0; i < n; i++) {
      await page.getByRole('button', { name: 'Next patient' }).click();
      await page.getByLabel('Credential number').fill('130502198503160248');
      await page.getByRole('button', { name: 'Look up' }).click();
      await page.getByRole('button', { name: 'Register the visit' }).click();
      await page.getByTestId('mdtrt-id').waitFor();
      await page.getByLabel('Find an item (code or name)').fill('001102000010000');
      await page.getByRole('button', { name: 'Find', exact: true }).click();
      await page.getByRole('button', { name: /^Add / }).first().click();
      await page.getByRole('button', { name: 'Upload the fee lines' }).click();
      await page.getByText('1 fee lines uploaded.').waitFor();
      await page.getByRole('button', { name: 'Presettle' }).click();
      await page.getByRole('article', { name: 'Presettlement (not settled yet)' }).waitFor();
      const t0 = performance.now();
      await page.getByRole('button', { name: 'Settle', exact: true }).click();
      await page.getByRole('article', { name: 'Receipt' }).locator('table.receipt-table tr').first().waitFor();
      times.push(performance.now() - t0);
    }
    await page.context().close();
    return times;
  }
  const idle = await settleClicks(kSettles);
  let loaded = null;
  if (withLoad) {
    load = spawn(xt, ['loadgen', '--target', base.replace('http://', ''), '--credentials', join(dir, 'keys.jsonl'),
      '--flows', '0', '--settles', '0', '--paced', String(Math.ceil(kRate * 120)), '--rate', String(kRate),
      '--paced-flows', '0', '--healthz-seconds', '0', '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let loadOut = '';
    load.stdout.on('data', (d) => (loadOut += d));
    await new Promise((r) => setTimeout(r, 5000)); // sample: loadgen prepares its visits before pacing
    loaded = await settleClicks(kSettles);
    load.kill('SIGTERM');
  }
  await browser.close();

  const assets = assetSizes();
  const lines = [
    `first page usable (sign-in form visible), cold cache, loopback: median ${ms(median(cold))} of ${cold.length} (min ${ms(Math.min(...cold))}, max ${ms(Math.max(...cold))}); the page transferred ${kib(transferred)}`,
    `web/dist: ${assets.files} files, ${kib(assets.raw)} raw, ${kib(assets.gz)} gzip; largest: ${assets.largest.map((f) => `${f.file} ${kib(f.raw)} (${kib(f.gz)} gzip)`).join(', ')}`,
    `settle click to receipt shown, idle server: p50 ${ms(quantile(idle, 0.5))}, p95 ${ms(quantile(idle, 0.95))} of ${idle.length}`,
  ];
  if (loaded) lines.push(`settle click to receipt shown, loadgen paced at ${kRate}/s: p50 ${ms(quantile(loaded, 0.5))}, p95 ${ms(quantile(loaded, 0.95))} of ${loaded.length}`);
  console.log(lines.join('\n'));
} finally {
  if (load && load.exitCode === null) load.kill('SIGTERM');
  if (server) server.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 300));
  rmSync(dir, { recursive: true, force: true });
}
