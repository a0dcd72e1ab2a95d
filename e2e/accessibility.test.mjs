// Every screen of the flows, checked by axe-core (WCAG 2.1 A and AA rules)
// in both languages. The context bypasses our CSP only to inject axe.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEMO_PASSWORD, audit, serverAndBrowser } from './helpers.mjs';
import { totp } from './totp.mjs';

const app = serverAndBrowser();

for (const locale of ['en', 'fr']) {
  test(`every screen passes axe (${locale})`, async () => {
    const context = await app.browser.newContext({ baseURL: app.server.url, bypassCSP: true, locale: locale === 'fr' ? 'fr-FR' : 'en-US' });
    const page = await context.newPage();
    await page.goto('/sign-in');
    // The browser's language decides at first visit.
    await page.locator(`html[lang="${locale}"]`).waitFor();
    const email = locale === 'fr' ? 'admin@demo.test' : 'member@demo.test';
    await page.locator('#email').waitFor();
    await audit(page, 'sign-in');
    await page.locator('#email').fill(email);
    await page.locator('#password').fill('wrong-password');
    await page.locator('button[type=submit]').click();
    await page.locator('#sign-in-error:not(:empty)').waitFor();
    await audit(page, 'sign-in with error');
    await page.locator('#password').fill(DEMO_PASSWORD);
    await page.locator('button[type=submit]').click();
    await page.waitForURL((u) => u.pathname === '/');
    await page.locator('main h1').waitFor();
    await audit(page, 'home');
    await page.locator('button.avatar').click();
    await page.locator('[role=menu]').waitFor();
    await audit(page, 'avatar menu open');
    await page.goto('/profile');
    await page.locator('dl.facts').waitFor();
    await audit(page, 'profile tab');
    await page.goto('/profile/security');
    await page.locator('#two-factor-heading').waitFor();
    await audit(page, 'security tab');
    await page.locator('.two-factor .actions button.primary').click();
    await page.locator('#reauth-password').waitFor();
    await audit(page, 'confirm password');
    await page.locator('#reauth-password').fill(DEMO_PASSWORD);
    await page.locator('.reauth button[type=submit]').click();
    await page.locator('#setup-key').waitFor();
    await audit(page, 'secure your account');
    const key = (await page.locator('#setup-key').textContent()).replace(/\s/g, '');
    await page.locator('#totp-code').fill('000000' === totp(key) ? '111111' : '000000');
    await page.locator('.secure button[type=submit]').click();
    await page.locator('#totp-error:not(:empty)').waitFor();
    await audit(page, 'secure your account with error');
    await page.locator('#totp-code').fill(totp(key));
    await page.locator('.secure button[type=submit]').click();
    await page.locator('#recovery-code').waitFor();
    await audit(page, 'recovery code');
    await page.locator('#recovery-saved').check();
    await page.locator('.recovery button.primary').click();
    await page.locator('.method').first().waitFor();
    await audit(page, 'security tab, enrolled');
    // Add Phone Number (the password was confirmed a moment ago).
    await page.locator('.two-factor .actions button').nth(1).click();
    await page.locator('#phone-country option').first().waitFor({ state: 'attached' });
    await audit(page, 'add phone number');
    await page.locator('#phone-country').selectOption('FR');
    await page.locator('#phone-number').fill('0800 12 34 56');
    await page.locator('form button[type=submit]').click();
    await page.locator('#phone-error:not(:empty)').waitFor();
    await audit(page, 'add phone number with error');
    await page.locator('#phone-number').fill('06 12 34 56 78');
    await page.locator('form button[type=submit]').click();
    await page.locator('#phone-code').waitFor();
    await audit(page, 'texted code');
    const texted = await page.evaluate(async () => (await (await fetch('/api/outbox')).json()).messages.find((m) => m.channel === 'sms').body.slice(0, 6));
    await page.locator('#phone-code').fill(texted);
    await page.locator('form button[type=submit]').click();
    await page.locator('.method').nth(1).waitFor();
    await page.locator('.badge').waitFor();
    await audit(page, 'security tab, two factors');
    if (email === 'admin@demo.test') {
      // Company Settings with its dashboard (the English one: enforcement.test.mjs).
      await page.goto('/company/settings');
      await page.locator('#readiness-bar').waitFor();
      await audit(page, 'company settings');
      await page.goto('/profile/security');
      await page.locator('.method').nth(1).waitFor();
    }
    await page.goto('/help/mfa#sms');
    await page.locator('#sms-steps:not([hidden])').waitFor();
    await audit(page, 'help');
    await page.goto('/profile/security');
    await page.locator('.method').nth(1).waitFor();
    await page.locator('.method button').first().click();
    await page.locator('[role=alertdialog]').waitFor();
    await audit(page, 'remove question');
    await page.locator('button.avatar').click();
    await page.locator('[role=menuitem]').last().click();
    await page.locator('#email').waitFor();
    await page.locator('#email').fill(email);
    await page.locator('#password').fill(DEMO_PASSWORD);
    await page.locator('button[type=submit]').click();
    await page.locator('#second-factor-code').waitFor();
    await audit(page, 'second step');
    await page.locator('button[aria-controls=other-methods]').click();
    await page.locator('#other-methods button').first().waitFor();
    await audit(page, 'other methods');
    await page.locator('#other-methods button').first().click();
    await page.locator('#second-step-title').waitFor();
    await audit(page, 'text me a code');
    await context.close();

    // A payee without a factor: the must-enroll explanation on the tab.
    const payee = await app.browser.newContext({ baseURL: app.server.url, bypassCSP: true, locale: locale === 'fr' ? 'fr-FR' : 'en-US' });
    const payeePage = await payee.newPage();
    await payeePage.goto('/sign-in');
    await payeePage.locator(`html[lang="${locale}"]`).waitFor();
    await payeePage.locator('#email').fill('payee@demo.test');
    await payeePage.locator('#password').fill(DEMO_PASSWORD);
    await payeePage.locator('button[type=submit]').click();
    await payeePage.locator('#must-enroll-title').waitFor();
    await audit(payeePage, 'must enroll');
    await payeePage.goto('/outbox');
    await payeePage.locator('.outbox-body').first().waitFor();
    await audit(payeePage, 'outbox');
    await payee.close();
  });
}
