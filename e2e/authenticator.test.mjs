// The authenticator app, end to end, as a person does it: enroll by reading
// the key (and checking the QR code decodes to the same secret), save the
// recovery code, sign in with a code, sign in with the recovery code.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import { DEMO_PASSWORD, newPage, root, serverAndBrowser, signIn } from './helpers.mjs';
import { step, totp } from './totp.mjs';

const artifacts = path.join(root, 'e2e', 'artifacts');
const app = serverAndBrowser();

before(() => mkdirSync(artifacts, { recursive: true }));

/** A code whose time step has not been used yet (the next step's when needed). */
function freshCode(key, usedSteps) {
  const now = Date.now() / 1000;
  const t = usedSteps.has(step(now)) ? now + 30 : now;
  usedSteps.add(step(t));
  return totp(key, t);
}

async function signOut(page) {
  await page.getByRole('button', { name: 'Account & Profile' }).click();
  await page.getByRole('menuitem', { name: 'Sign out' }).click();
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
}

test('enroll an authenticator app, then sign in with it and with the recovery code', async () => {
  const page = await newPage(app.browser, app.server.url);
  const used = new Set();
  await page.goto('/');
  await signIn(page, 'member@demo.test');
  await page.getByRole('button', { name: 'Account & Profile' }).click();
  await page.getByRole('menuitem', { name: 'My Profile Settings' }).click();
  await page.getByRole('tab', { name: 'Password & Security' }).click();
  await page.getByRole('button', { name: 'Add Authenticator App' }).click();

  // Step 2: confirm the password.
  await page.getByRole('heading', { name: 'Confirm your password' }).waitFor();
  await page.getByLabel('Current password').fill('not-my-password');
  await page.getByRole('button', { name: 'Confirm password' }).click();
  await page.getByRole('alert').getByText('That password is not correct.').waitFor();
  await page.getByLabel('Current password').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Confirm password' }).click();

  // Secure your Account: QR code and key. Focus moves to the new screen.
  await page.getByRole('heading', { name: 'Secure your Account' }).waitFor();
  await page.waitForFunction(() => document.activeElement?.textContent === 'Secure your Account');
  assert.equal(await page.title(), 'Secure your Account · TwoStep');
  const key = (await page.locator('#setup-key').textContent()).replace(/\s/g, '');
  assert.match(key, /^[A-Z2-7]{32}$/, 'a 160-bit base32 key, shown in groups');
  assert.match(await page.locator('#setup-key').textContent(), /^([A-Z2-7]{4} ){7}[A-Z2-7]{4}$/);
  const qr = page.getByRole('img', { name: /QR code/ });
  const png = PNG.sync.read(await qr.screenshot({ path: path.join(artifacts, 'qr.png') }));
  const decoded = jsQR(new Uint8ClampedArray(png.data), png.width, png.height);
  assert.ok(decoded, 'the QR code on screen decodes');
  const uri = new URL(decoded.data);
  assert.equal(uri.protocol, 'otpauth:');
  assert.equal(uri.host, 'totp');
  assert.equal(decodeURIComponent(uri.pathname), '/TwoStep:member@demo.test');
  assert.equal(uri.searchParams.get('secret'), key, 'the text key is the scanned secret');
  const scanned = uri.searchParams.get('secret');
  assert.equal(uri.searchParams.get('issuer'), 'TwoStep');
  assert.equal(uri.searchParams.get('digits'), '6');
  assert.equal(uri.searchParams.get('period'), '30');
  assert.equal(uri.searchParams.get('algorithm'), 'SHA1');
  const codeField = page.getByLabel('6-digit code');
  assert.equal(await codeField.getAttribute('inputmode'), 'numeric');
  assert.equal(await codeField.getAttribute('autocomplete'), 'one-time-code');
  await page.screenshot({ path: path.join(artifacts, 'secure-your-account.png'), fullPage: true });

  // A wrong code, then the right one (computed from the scanned secret, as an
  // app would) typed as "123 456".
  const right = freshCode(scanned, used);
  await codeField.fill(right === '000000' ? '111111' : '000000');
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('alert').getByText('That code is not valid.', { exact: false }).waitFor();
  await codeField.fill(`${right.slice(0, 3)} ${right.slice(3)}`);
  await page.getByRole('button', { name: 'Continue' }).click();

  // The recovery code, once.
  await page.getByRole('heading', { name: 'Save your recovery code' }).waitFor();
  const recovery = (await page.locator('#recovery-code').textContent()).trim();
  assert.match(recovery, /^[A-Z2-7]{4}(-[A-Z2-7]{4}){3}$/);
  const finish = page.getByRole('button', { name: 'Finish' });
  assert.equal(await finish.isDisabled(), true, 'finish waits for the tick');
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Download' }).click(),
  ]);
  assert.equal(download.suggestedFilename(), 'TwoStep-recovery-code-member@demo.test.txt');
  const saved = path.join(artifacts, download.suggestedFilename());
  await download.saveAs(saved);
  const text = readFileSync(saved, 'utf8');
  assert.ok(text.includes(recovery), 'the file holds the code');
  assert.ok(text.includes('member@demo.test'), 'and the account');
  assert.match(text, /\d{4}-\d{2}-\d{2}/, 'and the date');
  assert.ok(text.includes('works once'), 'and says it works once');
  assert.ok(text.includes('Use your recovery code instead'), 'and how to use it');
  await page.screenshot({ path: path.join(artifacts, 'recovery-code.png'), fullPage: true });
  await page.getByLabel('I have saved my recovery code').check();
  await finish.click();

  // Back on the tab: the app is listed, with Remove.
  await page.waitForURL('**/profile/security');
  await page.getByText('Two-factor authentication is on.').waitFor();
  await page.getByText('Authenticator app', { exact: true }).waitFor();
  await page.getByRole('button', { name: 'Remove authenticator app' }).waitFor();
  await page.screenshot({ path: path.join(artifacts, 'security-enrolled.png'), fullPage: true });

  // Sign in with a fresh code.
  await signOut(page);
  await signIn(page, 'member@demo.test');
  await page.getByRole('heading', { name: 'Two-step verification' }).waitFor();
  await page.waitForFunction(() => document.activeElement?.id === 'second-factor-code');
  await page.keyboard.type(freshCode(key, used));
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('heading', { name: 'Welcome, Morgan' }).waitFor();

  // Sign in with the recovery code: it is replaced at once.
  await signOut(page);
  await signIn(page, 'member@demo.test');
  await page.getByRole('button', { name: 'Use your recovery code instead' }).click();
  await page.getByLabel('Recovery code').fill(recovery);
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('heading', { name: 'Save your new recovery code' }).waitFor();
  const fresh = (await page.locator('#recovery-code').textContent()).trim();
  assert.notEqual(fresh, recovery);
  await page.getByLabel('I have saved my recovery code').check();
  await page.getByRole('button', { name: 'Finish' }).click();
  await page.getByRole('heading', { name: 'Lost your phone?' }).waitFor();
  await page.getByRole('button', { name: 'Replace authenticator app' }).waitFor();
  await page.getByRole('button', { name: 'Not now' }).click();
  await page.getByRole('heading', { name: 'Welcome, Morgan' }).waitFor();

  // The old recovery code no longer works; the new one does.
  await signOut(page);
  await signIn(page, 'member@demo.test');
  await page.getByRole('button', { name: 'Use your recovery code instead' }).click();
  await page.getByLabel('Recovery code').fill(recovery);
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('alert').getByText('That code is not valid.', { exact: false }).waitFor();
  await page.getByLabel('Recovery code').fill(fresh);
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('heading', { name: 'Save your new recovery code' }).waitFor();
  assert.deepEqual(page.errors, []);
});

test('the second step survives a reload, and a lost phone can be replaced', async () => {
  const page = await newPage(app.browser, app.server.url);
  const used = new Set();
  await page.goto('/profile/security/authenticator');
  await signIn(page, 'admin@demo.test');
  await page.getByLabel('Current password').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Confirm password' }).click();
  const key = (await page.locator('#setup-key').textContent()).replace(/\s/g, '');
  await page.getByLabel('6-digit code').fill(freshCode(key, used));
  await page.getByRole('button', { name: 'Continue' }).click();
  const recovery = (await page.locator('#recovery-code').textContent()).trim();
  await page.getByLabel('I have saved my recovery code').check();
  await page.getByRole('button', { name: 'Finish' }).click();
  await page.waitForURL('**/profile/security');

  await signOut(page);
  await page.goto('/profile/security');
  await signIn(page, 'admin@demo.test');
  await page.getByRole('heading', { name: 'Two-step verification' }).waitFor();
  await page.reload();
  await page.getByRole('heading', { name: 'Two-step verification' }).waitFor();
  await page.getByRole('button', { name: 'Use your recovery code instead' }).click();
  await page.getByLabel('Recovery code').fill(recovery.toLowerCase());
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByLabel('I have saved my recovery code').check();
  await page.getByRole('button', { name: 'Finish' }).click();
  await page.getByRole('button', { name: 'Replace authenticator app' }).click();
  await page.getByLabel('Current password').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Confirm password' }).click();
  const newKey = (await page.locator('#setup-key').textContent()).replace(/\s/g, '');
  assert.notEqual(newKey, key);
  await page.getByLabel('6-digit code').fill(totp(newKey));
  await page.getByRole('button', { name: 'Continue' }).click();
  // Not the first factor: no new recovery code, straight back to the tab.
  await page.waitForURL('**/profile/security');
  await page.getByText('Two-factor authentication is on.').waitFor();

  // A new recovery code voids the old one (the password was confirmed a moment ago).
  await page.getByRole('button', { name: 'Generate a new recovery code' }).click();
  await page.getByRole('heading', { name: 'Save your new recovery code' }).waitFor();
  const regenerated = (await page.locator('#recovery-code').textContent()).trim();
  await page.getByLabel('I have saved my recovery code').check();
  await page.getByRole('button', { name: 'Finish' }).click();
  await page.waitForURL('**/profile/security');

  // Remove it.
  await page.getByRole('button', { name: 'Remove authenticator app' }).click();
  await page.getByRole('alertdialog').getByRole('button', { name: 'Remove' }).click();
  await page.getByText('Two-factor authentication is not set up.').waitFor();
  assert.match(regenerated, /^[A-Z2-7]{4}(-[A-Z2-7]{4}){3}$/);
  assert.deepEqual(page.errors, []);
});
