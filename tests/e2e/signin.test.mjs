// The sign-in page as a newcomer meets it: served by xietong serve at any
// application path, the labelled form, no serious accessibility problem, no
// sideways scrolling on a phone; a wrong password refused with the server's
// code and message; a right one leads to the role's main page, and signing
// out ends the session on the server too.
import { strict as assert } from 'node:assert';
import { after, before, test } from 'node:test';
import {
  assertNoHorizontalOverflow,
  baseUrl,
  checkAccessibility,
  kPhone,
  launch,
  newPage,
  pageFetch,
  signIn,
  users,
} from './lib.mjs';

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

test('a page of the application asked for without a session shows the sign-in form', async () => {
  const page = await newPage(browser, { locale: 'zh-CN' });
  const response = await page.goto(`${baseUrl}/cashier/counter`);
  assert.equal(response.status(), 200);
  await page.waitForURL((url) => url.pathname === '/signin' && url.searchParams.get('next') === '/cashier/counter');
  await page.getByRole('heading', { level: 1, name: '登录' }).waitFor();
  assert.equal(await page.getByLabel('用户名').isVisible(), true);
  assert.equal(await page.getByLabel('密码').getAttribute('type'), 'password');
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'zh-CN');
  await checkAccessibility(page, 'the sign-in page');
  await page.setViewportSize(kPhone);
  await assertNoHorizontalOverflow(page, 'the sign-in page on a phone');
  await page.context().close();
});

test('a wrong password is refused with the server\'s code and message; the right one signs in; sign-out ends it', async () => {
  const page = await newPage(browser);
  await page.goto(`${baseUrl}/signin`);
  await page.getByLabel('User name').fill(users.cashier.username);
  await page.getByLabel('Password').fill('not the sample password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  const alert = page.getByRole('alert');
  await alert.waitFor();
  assert.equal((await alert.locator('.err-code').textContent()).trim(), 'XT-AUTH-008');
  assert.ok((await alert.locator('.err-msg').textContent()).trim().length > 0, 'the server\'s message is shown');
  assert.ok(page.url().endsWith('/signin'), 'still on the sign-in page');
  const none = await pageFetch(page, '/api/v1/session');
  assert.equal(none.status, 401, 'no session after a refused sign-in');

  await signIn(page, 'cashier');
  const who = await pageFetch(page, '/api/v1/session');
  assert.equal(who.status, 200);
  assert.equal(who.body.username, users.cashier.username);
  assert.equal(who.body.role, 'hospital');
  assert.equal(who.body.duty, 'cashier');
  const cookies = await page.context().cookies();
  const cookie = cookies.find((c) => c.name === 'xt_session');
  assert.ok(cookie, 'the session is the xt_session cookie');
  assert.equal(cookie.httpOnly, true);
  assert.equal(cookie.sameSite, 'Strict');
  assert.equal(await page.evaluate(() => document.cookie.includes('xt_session')), false, 'scripts cannot read it');

  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.waitForURL('**/signin');
  // The old cookie, sent again, is refused: the server ended the session.
  await page.context().addCookies([cookie]);
  const after = await pageFetch(page, '/api/v1/session');
  assert.equal(after.status, 401, 'the session is over on the server');
  await page.context().close();
});
