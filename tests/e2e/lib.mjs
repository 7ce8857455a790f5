// What every browser journey shares: the environment run.sh hands over (the
// server's address, the staff accounts), Debian's chromium through
// playwright-core, sign-in through the real page, requests from the page's
// own context (its session cookie and CSRF token), the axe-core check, the
// screenshots and the phone-width overflow check.
import { strict as assert } from 'node:assert';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));

function required(name) {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run the journeys with tests/e2e/run.sh`);
  return v;
}

export const baseUrl = required('XT_E2E_BASE_URL');
export const users = JSON.parse(readFileSync(required('XT_E2E_USERS'), 'utf8'));
export const root = process.env.XT_E2E_ROOT || join(here, '..', '..');

// The desktop the screenshots are made at, and the phone of the overflow check.
export const kDesktop = { width: 1366, height: 768 };
export const kPhone = { width: 390, height: 844 };
// A sample bound on one step's wait (a click's answer, a page's data).
export const kStepTimeoutMs = 15000;

export async function launch() {
  return chromium.launch({
    executablePath: required('XT_E2E_CHROMIUM'),
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

// A fresh context (no cookies) with the application in `locale` ('en' by
// default, so the journeys read the English labels; 'zh-CN' is the
// application's own default).
export async function newPage(browser, { viewport = kDesktop, locale = 'en' } = {}) {
  const context = await browser.newContext({ viewport, locale: locale === 'en' ? 'en-US' : 'zh-CN' });
  await context.addInitScript((id) => {
    try {
      localStorage.setItem('xietong.locale', id);
    } catch {
      // no storage: the application's default
    }
  }, locale);
  context.setDefaultTimeout(kStepTimeoutMs);
  const page = await context.newPage();
  page.xtLocale = locale;
  // The server's refusals of the page's API requests, for a failure's report.
  page.refusals = [];
  page.on('response', async (r) => {
    if (r.status() < 400 || !new URL(r.url()).pathname.startsWith('/api/')) return;
    let text = '';
    try {
      text = (await r.text()).slice(0, 300);
    } catch {
      // the body is gone with the page
    }
    page.refusals.push(`${r.request().method()} ${new URL(r.url()).pathname} ${r.status()} ${text}`);
  });
  const problems = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  // The browser's own log of a refused request ("Failed to load resource")
  // is not the page's error: the journeys provoke refusals on purpose and
  // assert what the page shows of them.
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) problems.push(`console error: ${m.text()}`);
  });
  page.problems = problems;
  return page;
}

// The sign-in form's labels in the application's two languages.
const kSignInLabels = {
  en: { username: 'User name', password: 'Password', submit: 'Sign in' },
  'zh-CN': { username: '用户名', password: '密码', submit: '登录' },
};

// Signs in as `role` (a key of users.json) through the sign-in page: the
// labelled user name and password, then the button; waits until the
// application has left the sign-in page.
export async function signIn(page, role, { password = users.password } = {}) {
  const account = users[role];
  assert.ok(account, `no account for role ${role}`);
  const labels = kSignInLabels[page.xtLocale || 'en'];
  await page.goto(`${baseUrl}/signin`);
  await page.getByLabel(labels.username).fill(account.username);
  await page.getByLabel(labels.password).fill(password);
  await page.getByRole('button', { name: labels.submit, exact: true }).click();
  await page.waitForURL((url) => !url.pathname.startsWith('/signin'));
  await page.locator('main h1').first().waitFor();
}

// A request from the page itself: same origin, its session cookie, and on a
// write the CSRF token of the session (GET /api/v1/session). Returns
// {status, body} with the body parsed when it is JSON.
export async function pageFetch(page, path, { method = 'GET', body, headers = {} } = {}) {
  return page.evaluate(
    async ({ path, method, body, headers }) => {
      const h = { Accept: 'application/json', ...headers };
      if (method !== 'GET') {
        const s = await fetch('/api/v1/session', { credentials: 'same-origin' });
        if (s.ok) h['X-CSRF-Token'] = (await s.json()).csrf_token;
      }
      if (body !== undefined) h['Content-Type'] = 'application/json';
      const r = await fetch(path, {
        method,
        headers: h,
        credentials: 'same-origin',
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await r.text();
      let parsed = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        // not JSON: the text
      }
      return { status: r.status, body: parsed, type: r.headers.get('Content-Type') || '' };
    },
    { path, method, body, headers },
  );
}

// axe-core on the page as it is now: fails on any violation of impact
// serious or critical, listing each with its rule, help and the elements.
// The server's Content-Security-Policy (default-src 'self') refuses an
// injected <script> (page.addScriptTag), and the journeys keep the policy on
// so that a page that breaks it fails; so axe's source is evaluated in the
// page through the browser's debugging protocol instead.
let axeSource = null;
export async function checkAccessibility(page, what) {
  axeSource ??= readFileSync(join(here, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.evaluate(axeSource);
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  const text = bad
    .map(
      (v) =>
        `  [${v.impact}] ${v.id}: ${v.help} (${v.helpUrl})\n` +
        v.nodes
          .slice(0, 5)
          .map((n) => `      ${n.target.join(' ')}: ${n.failureSummary.replace(/\s+/g, ' ')}`)
          .join('\n'),
    )
    .join('\n');
  assert.ok(bad.length === 0, `accessibility of ${what}: ${bad.length} serious or critical violations\n${text}`);
}

// The page as it is now into build/e2e-screenshots/<name>.png; with
// XT_E2E_UPDATE_DOCS=1 also to docs/ui/<name>.png (the pictures docs/ui.md shows).
export async function screenshot(page, name, { docs = true, fullPage = false } = {}) {
  const dir = join(root, 'build', 'e2e-screenshots');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}.png`);
  await page.screenshot({ path: file, fullPage });
  if (docs && process.env.XT_E2E_UPDATE_DOCS === '1') {
    mkdirSync(join(root, 'docs', 'ui'), { recursive: true });
    copyFileSync(file, join(root, 'docs', 'ui', `${name}.png`));
  }
  return file;
}

// The document is no wider than the window (no sideways scrolling).
export async function assertNoHorizontalOverflow(page, what) {
  const m = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    client: document.documentElement.clientWidth,
    widest: [...document.querySelectorAll('body *')]
      .filter((e) => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
      .slice(0, 5)
      .map((e) => `${e.tagName.toLowerCase()}${e.id ? '#' + e.id : ''}${e.className ? '.' + String(e.className).split(' ')[0] : ''}`),
  }));
  assert.ok(
    m.scroll <= m.client,
    `${what} is ${m.scroll}px wide in a ${m.client}px window; wider elements: ${m.widest.join(', ')}`,
  );
}

// Runs a journey's steps on `page`; when one fails, the error says what the
// page showed as alerts and which API requests the server refused, and a
// screenshot is left in build/e2e-screenshots/failed-<name>.png.
export async function journey(page, name, steps) {
  try {
    await steps();
  } catch (e) {
    let alerts = [];
    try {
      alerts = await page.locator('[role="alert"]').allTextContents();
      await screenshot(page, `failed-${name}`, { docs: false });
    } catch {
      // the page is gone
    }
    e.message += `\n  page at: ${page.url()}\n  alerts shown: ${JSON.stringify(alerts.map((a) => a.trim()))}` +
      `\n  requests refused: ${JSON.stringify(page.refusals)}`;
    throw e;
  }
}

// Fails when the page reported a script error or logged one.
export function assertNoPageErrors(page, what) {
  assert.deepEqual(page.problems, [], `${what}: the page reported errors`);
}

// Integer fen from the page's "1,234.56" (yuan, two decimals, optional sign
// and currency mark); throws on anything else, so that a shown amount is
// never guessed.
export function fenOf(text) {
  const t = String(text).replace(/[¥￥,\s元]/g, '');
  const m = /^(-?)(\d+)\.(\d{2})$/.exec(t);
  if (!m) throw new Error(`"${text}" is not an amount in yuan with two decimals`);
  const fen = Number(m[2]) * 100 + Number(m[3]);
  return m[1] ? -fen : fen;
}
