// What a signed-in person may not have, asked for from the browser with
// their own session: another role's page sends them back to their own (and
// the data behind it is refused by the server), another scope's data is
// refused by the server (403 or 404, with its error code), and a write
// without the session's CSRF token is refused.
import { strict as assert } from 'node:assert';
import { after, before, test } from 'node:test';
import { baseUrl, launch, newPage, pageFetch, signIn, users } from './lib.mjs';

// Another Hebei person (data/persons.json) and an institution of Beijing.
const kOtherPsnNo = '1100000000000001';
const kBeijingHospital = 'H11010500001';

// role -> [another role's page, its own main page, [data the server refuses]]
const kCases = {
  cashier: {
    foreignPage: '/agency/funds',
    home: '/cashier/counter',
    refused: [
      ['GET', '/api/v1/funds', [403]],
      ['GET', '/metrics', [403]],
      ['GET', `/api/v1/persons/${kOtherPsnNo}/settlements`, [403]],
      ['GET', `/api/v1/institutions/${kBeijingHospital}/balance`, [403, 404]],
      // the doctor's route, not the cashier's duty
      ['GET', `/api/v1/persons/${users.resident.psn_no}/recognised?items=JY01001`, [403]],
    ],
  },
  doctor: {
    foreignPage: '/cashier/reconcile',
    home: '/doctor/results',
    refused: [
      ['GET', '/api/v1/funds', [403]],
      ['GET', `/api/v1/persons/${kOtherPsnNo}/result-looks`, [403, 404]],
    ],
  },
  agency: {
    foreignPage: '/operator/metrics',
    home: '/agency/funds',
    refused: [
      ['GET', '/api/v1/funds?region=110000', [403]],
      ['GET', '/metrics', [403]],
      ['POST', '/api/v1/counter/reconcile', [403]],
      ['GET', `/api/v1/institutions/${kBeijingHospital}/balance`, [403, 404]],
    ],
  },
  resident: {
    foreignPage: '/doctor/results',
    home: '/resident/settlements',
    refused: [
      ['GET', `/api/v1/persons/${kOtherPsnNo}/settlements`, [403, 404]],
      ['GET', `/api/v1/settlements?psn_no=${kOtherPsnNo}`, [403]],
      ['GET', '/api/v1/funds', [403]],
      ['GET', `/api/v1/counter/persons?certno=110118199103137890`, [403]],
    ],
  },
};

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

for (const [role, c] of Object.entries(kCases)) {
  test(`${role}: another role's page and another scope's data are refused`, async () => {
    const page = await newPage(browser);
    await signIn(page, role);
    await page.goto(`${baseUrl}${c.foreignPage}`);
    await page.waitForURL((url) => url.pathname === c.home);
    for (const [method, path, statuses] of c.refused) {
      const r = await pageFetch(page, path, { method, body: method === 'POST' ? { stmt_date: '2026-01-01' } : undefined });
      assert.ok(statuses.includes(r.status), `${role} ${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
      assert.match(String(r.body.err_code), /^XT-[A-Z]+-\d{3}$/, `${role} ${method} ${path} answers an error code`);
    }
    await page.context().close();
  });
}

test('a write without the session\'s CSRF token is refused, with it the same request is answered', async () => {
  const page = await newPage(browser);
  await signIn(page, 'cashier');
  const body = { stmt_date: '2026-01-01' };
  const without = await page.evaluate(async (b) => {
    const r = await fetch('/api/v1/counter/reconcile', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'Idempotency-Key': 'e2e-csrf-probe-1' },
      body: JSON.stringify(b),
    });
    return { status: r.status, body: await r.json() };
  }, body);
  assert.equal(without.status, 403, `without the token: ${JSON.stringify(without.body)}`);
  const withToken = await pageFetch(page, '/api/v1/counter/reconcile', {
    method: 'POST',
    headers: { 'Idempotency-Key': 'e2e-csrf-probe-2' },
    body,
  });
  assert.equal(withToken.status, 200, `with the token: ${JSON.stringify(withToken.body)}`);
  await page.context().close();
});

test('a request from the browser without a session is refused', async () => {
  const page = await newPage(browser);
  await page.goto(`${baseUrl}/signin`);
  for (const path of ['/api/v1/funds', `/api/v1/persons/${users.resident.psn_no}/settlements`, '/api/v1/counter/items?q=1']) {
    const r = await pageFetch(page, path);
    assert.equal(r.status, 401, `${path} without a session: ${r.status}`);
  }
  await page.context().close();
});
