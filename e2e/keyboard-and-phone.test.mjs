// Enrolling without a mouse, and "Secure your Account" on a phone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import { DEMO_PASSWORD, serverAndBrowser, signIn } from './helpers.mjs';
import { totp } from './totp.mjs';

const app = serverAndBrowser();

/** Presses Tab until the focused element satisfies `wanted` (a function of it). */
async function tabTo(page, wanted, what, arg) {
  for (let i = 0; i < 40; i++) {
    if (await page.evaluate(wanted, arg)) return;
    await page.keyboard.press('Tab');
  }
  assert.fail(`Tab never reached ${what}`);
}

test('an authenticator app is enrolled with the keyboard alone', async () => {
  const context = await app.browser.newContext({ baseURL: app.server.url, locale: 'en-US' });
  const page = await context.newPage();
  // Any mouse event fails the test.
  await page.addInitScript(() => {
    for (const type of ['mousedown', 'mouseup', 'click']) {
      window.addEventListener(type, (e) => { if (e.isTrusted && e.detail > 0) window.__mouse = true; }, true);
    }
  });
  await page.goto('/sign-in');
  await tabTo(page, () => document.activeElement?.id === 'email', 'the email field');
  await page.keyboard.type('member@demo.test');
  await page.keyboard.press('Tab');
  await page.keyboard.type(DEMO_PASSWORD);
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: 'Welcome, Morgan' }).waitFor();
  await tabTo(page, () => document.activeElement?.textContent === 'Go to Password & Security', 'the tab link');
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: 'Two-Factor Authentication (2FA)' }).waitFor();
  await tabTo(page, () => document.activeElement?.textContent === 'Add Authenticator App', 'Add Authenticator App');
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: 'Confirm your password' }).waitFor();
  await tabTo(page, () => document.activeElement?.id === 'reauth-password', 'the password field');
  await page.keyboard.type(DEMO_PASSWORD);
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: 'Secure your Account' }).waitFor();
  const key = (await page.locator('#setup-key').textContent()).replace(/\s/g, '');
  await tabTo(page, () => document.activeElement?.id === 'totp-code', 'the code field');
  await page.keyboard.type(totp(key));
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: 'Save your recovery code' }).waitFor();
  await tabTo(page, () => document.activeElement?.id === 'recovery-saved', 'the saved tick');
  await page.keyboard.press('Space');
  await tabTo(page, () => document.activeElement?.textContent === 'Finish', 'Finish');
  await page.keyboard.press('Enter');
  await page.waitForURL('**/profile/security');
  await page.getByText('Two-factor authentication is on.').waitFor();
  assert.equal(await page.evaluate(() => window.__mouse ?? false), false, 'no mouse event');
  await context.close();
});

test('the help sections open and close by keyboard alone', async () => {
  const context = await app.browser.newContext({ baseURL: app.server.url, locale: 'en-US' });
  const page = await context.newPage();
  await page.goto('/help/mfa');
  for (const id of ['authenticator-app', 'sms']) {
    await tabTo(page, (id) => document.activeElement?.getAttribute('aria-controls') === `${id}-steps`, `${id}'s toggle`, id);
    const toggle = page.locator(`#${id} .steps-toggle`);
    await page.keyboard.press('Enter');
    assert.equal(await toggle.getAttribute('aria-expanded'), 'true');
    await page.keyboard.press(' ');
    assert.equal(await toggle.getAttribute('aria-expanded'), 'false');
  }
  await context.close();
});

test('on a phone, Secure your Account leads with Open in authenticator app', async () => {
  const context = await app.browser.newContext({
    baseURL: app.server.url,
    locale: 'en-US',
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
  });
  const page = await context.newPage();
  await page.goto('/profile/security/authenticator');
  await signIn(page, 'payee@demo.test');
  await page.getByLabel('Current password').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Confirm password' }).click();
  const open = page.getByRole('link', { name: 'Open in authenticator app' });
  await open.waitFor();
  await page.getByRole('button', { name: 'Copy key' }).waitFor();
  const href = new URL(await open.getAttribute('href'));
  assert.equal(href.protocol, 'otpauth:');
  // It comes before the QR code, which is still there for another device.
  const qr = page.getByRole('img', { name: /QR code/ });
  const [linkBox, qrBox] = [await open.boundingBox(), await qr.boundingBox()];
  assert.ok(linkBox.y < qrBox.y, 'the link leads');
  await qr.scrollIntoViewIfNeeded();
  const png = PNG.sync.read(await qr.screenshot());
  const decoded = jsQR(new Uint8ClampedArray(png.data), png.width, png.height);
  assert.ok(decoded, 'the QR code decodes');
  assert.equal(new URL(decoded.data).searchParams.get('secret'), href.searchParams.get('secret'));
  await context.close();
});
