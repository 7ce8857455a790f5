// The operator manages staff accounts and runs the checks from the page:
// a cashier's account added with a password the server makes (shown once),
// which then signs in; disabled, it no longer can; the ledger check and the
// audit log check run and say they hold. What the page offers, the server
// enforces: a cashier asking for the accounts is refused.
import { strict as assert } from 'node:assert';
import { after, before, test } from 'node:test';
import { assertNoPageErrors, baseUrl, checkAccessibility, journey, launch, newPage, pageFetch, signIn } from './lib.mjs';

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

// Through the sign-in page as `username`: true when it let them in.
async function signsIn(username, password) {
  const page = await newPage(browser);
  await page.goto(`${baseUrl}/signin`);
  await page.getByLabel('User name').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  const outcome = await Promise.race([
    page.waitForURL((url) => !url.pathname.startsWith('/signin')).then(() => 'in'),
    page.getByRole('alert').waitFor().then(async () => (await page.getByRole('alert').textContent()).trim()),
  ]);
  await page.context().close();
  return outcome;
}

test('operator: adds a cashier, who signs in; disables her, who no longer can; runs both checks', async () => {
  const username = `cashier.${Date.now().toString(36)}`;
  const page = await newPage(browser);
  await journey(page, 'operator-accounts', async () => {
    await signIn(page, 'operator');
    const nav = page.getByRole('navigation', { name: 'Main navigation' });
    await nav.getByRole('link', { name: 'Staff accounts' }).click();
    await page.getByRole('heading', { level: 1, name: 'Staff accounts' }).waitFor();
    await page.getByLabel('User name').fill(username);
    await page.getByLabel('Display name').fill('示例收费员');
    await page.getByLabel('Role').selectOption('hospital');
    await page.getByLabel('Duty').selectOption('cashier');
    await page.getByLabel('Scope').fill('H12010300001');
    await page.getByRole('button', { name: 'Add account' }).click();
    const generated = page.getByTestId('generated-password');
    await generated.waitFor();
    const password = (await generated.textContent()).trim();
    assert.ok(password.length >= 10, 'the server made a password of at least 10 characters');
    await checkAccessibility(page, 'the staff accounts with a generated password');

    // The server has it, without any hash; she signs in with it.
    const listed = await pageFetch(page, '/api/v1/admin/accounts');
    assert.equal(listed.status, 200);
    const row = listed.body.accounts.find((a) => a.username === username);
    assert.ok(row, 'the new account is listed');
    assert.equal(row.role, 'hospital');
    assert.equal(row.duty, 'cashier');
    assert.equal(row.scope, 'H12010300001');
    assert.ok(!/argon2/i.test(JSON.stringify(listed.body)), 'no password hash is ever answered');
    assert.equal(await signsIn(username, password), 'in');

    // Disabled from the page (after a confirmation), she can no longer.
    await page.getByRole('button', { name: `Disable ${username}` }).click();
    await page.getByRole('button', { name: 'Disable it' }).click();
    await page.getByRole('status').filter({ hasText: username }).waitFor();
    assert.match(await signsIn(username, password), /XT-AUTH-008/);

    // Both checks, from the page.
    await nav.getByRole('link', { name: 'Checks' }).click();
    await page.getByRole('heading', { level: 1, name: 'Checks' }).waitFor();
    await page.getByRole('button', { name: 'Run the ledger check' }).click();
    await page.getByTestId('verify-result').getByText('Ok: every balance and accumulator matches.').waitFor();
    await page.getByRole('button', { name: 'Run the audit log check' }).click();
    await page.getByTestId('audit-result').getByText('The audit log is intact.').waitFor();
    await checkAccessibility(page, 'the checks with their results');
    assertNoPageErrors(page, "the operator's accounts and checks");
  });
  await page.context().close();

  // A cashier is refused the accounts by the server, whatever the page shows.
  const cashier = await newPage(browser);
  await signIn(cashier, 'cashier');
  const refused = await pageFetch(cashier, '/api/v1/admin/accounts');
  assert.equal(refused.status, 403, `a cashier asking for the accounts: ${JSON.stringify(refused.body)}`);
  await cashier.context().close();
});
