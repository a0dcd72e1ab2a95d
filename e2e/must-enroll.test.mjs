// A payee must set up two-factor authentication before anything else: once
// signed in they land on Password & Security with the reason, every other
// page sends them back there, and adding the authenticator app opens the rest.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { enrollAuthenticator, newPage, serverAndBrowser, signIn } from './helpers.mjs';

const app = serverAndBrowser();
const REQUIRED = 'Two-factor authentication is required';

test('a payee without a factor can only enroll, then reaches the rest', async () => {
  const page = await newPage(app.browser, app.server.url);
  await page.goto('/');
  await signIn(page, 'payee@demo.test');
  await page.waitForURL('**/profile/security');
  await page.getByRole('heading', { name: REQUIRED }).waitFor();
  await page.getByText('Your account must be protected by a second sign-in step').waitFor();
  assert.equal(await page.getByRole('tab', { name: 'Password & Security' }).getAttribute('aria-selected'), 'true');

  // Other pages, by link or by address, lead back here.
  await page.getByRole('link', { name: 'TwoStep' }).click();
  await page.waitForURL('**/profile/security');
  await page.getByRole('button', { name: 'Account & Profile' }).click();
  await page.getByRole('menuitem', { name: 'My Profile Settings' }).click();
  await page.waitForURL('**/profile/security');
  for (const path of ['/', '/profile', '/profile/security/recovery-code']) {
    await page.goto(path);
    await page.waitForURL('**/profile/security');
    await page.getByRole('heading', { name: REQUIRED }).waitFor();
  }
  assert.equal(await page.getByRole('heading', { name: 'Welcome, Pat' }).count(), 0);

  // Enroll.
  await enrollAuthenticator(page);
  await page.waitForURL('**/profile/security');
  await page.getByText('Two-factor authentication is on.').waitFor();
  assert.equal(await page.getByRole('heading', { name: REQUIRED }).count(), 0);

  // Now everything opens.
  await page.getByRole('link', { name: 'TwoStep' }).click();
  await page.getByRole('heading', { name: 'Welcome, Pat' }).waitFor();
  await page.goto('/profile');
  await page.getByText('Demo Construction').waitFor();
  assert.equal(new URL(page.url()).pathname, '/profile');
  assert.deepEqual(page.errors, []);
});
