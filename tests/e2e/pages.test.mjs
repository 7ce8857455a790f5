// Each role's main page as its user first sees it, in the application's
// own language (Chinese): signed in through the page, the role's heading,
// no serious accessibility problem, a screenshot at 1366x768
// (build/e2e-screenshots/<role>.png; docs/ui/<role>.png with
// XT_E2E_UPDATE_DOCS=1), and no sideways scrolling on a 390x844 phone.
import { strict as assert } from 'node:assert';
import { after, before, test } from 'node:test';
import {
  assertNoHorizontalOverflow,
  assertNoPageErrors,
  checkAccessibility,
  kDesktop,
  kPhone,
  launch,
  newPage,
  screenshot,
  signIn,
} from './lib.mjs';

// role -> the main page's path and its heading (web/src/roles/*/index.js)
const kMainPages = {
  cashier: { path: '/cashier/counter', heading: '收费窗口' },
  doctor: { path: '/doctor/results', heading: '检查检验结果互认' },
  agency: { path: '/agency/funds', heading: '基金余额与预付金' },
  resident: { path: '/resident/settlements', heading: '我的结算记录' },
  operator: { path: '/operator/health', heading: '服务运行状态' },
};

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

for (const [role, main] of Object.entries(kMainPages)) {
  test(`${role}: the main page after sign-in, accessible, pictured, and no wider than a phone`, async () => {
    const page = await newPage(browser, { locale: 'zh-CN', viewport: kDesktop });
    await signIn(page, role);
    assert.equal(new URL(page.url()).pathname, main.path, `${role} lands on its main page`);
    await page.getByRole('heading', { level: 1, name: main.heading }).waitFor();
    await page.waitForLoadState('networkidle');
    await page.waitForFunction(() => !document.querySelector('.loading'));
    assert.equal(await page.locator('.error[role="alert"]').count(), 0, `${role}'s main page shows no error`);
    await checkAccessibility(page, `${role}'s main page`);
    await screenshot(page, role);
    await page.setViewportSize(kPhone);
    await page.waitForTimeout(200); // a sample pause for the layout and the charts' resize
    await assertNoHorizontalOverflow(page, `${role}'s main page on a ${kPhone.width}x${kPhone.height} phone`);
    assertNoPageErrors(page, `${role}'s main page`);
    await page.context().close();
  });
}
