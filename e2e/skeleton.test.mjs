// The walking skeleton, as a person uses it: sign in, avatar menu, My Profile
// Settings, Password & Security, French, sign out, deep links.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { DEMO_PASSWORD, newPage, root, serverAndBrowser, signIn, startServer } from './helpers.mjs';

const artifacts = path.join(root, 'e2e', 'artifacts');
const app = serverAndBrowser();

before(() => mkdirSync(artifacts, { recursive: true }));

const sessionCookie = async (page) =>
  (await page.context().cookies()).find((c) => c.name.includes('mfa_session'));

test('member signs in, reaches the 2FA section, reads it in French, signs out', async () => {
  const page = await newPage(app.browser, app.server.url);
  await page.goto('/');
  await page.waitForURL('**/sign-in');
  assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Sign in');
  await signIn(page, 'member@demo.test');

  await page.getByRole('heading', { name: 'Welcome, Morgan' }).waitFor();
  const cookie = await sessionCookie(page);
  assert.ok(cookie, 'session cookie set');
  assert.equal(cookie.httpOnly, true);
  assert.equal(cookie.sameSite, 'Lax');

  const avatar = page.getByRole('button', { name: 'Account & Profile' });
  assert.equal(await avatar.getAttribute('aria-expanded'), 'false');
  await avatar.click();
  assert.equal(await avatar.getAttribute('aria-expanded'), 'true');
  await page.getByRole('menuitem', { name: 'My Profile Settings' }).click();
  await page.getByRole('heading', { level: 1, name: 'My Profile Settings' }).waitFor();
  assert.equal(await page.title(), 'My Profile Settings · TwoStep');
  await page.getByRole('tab', { name: 'Profile' }).waitFor();

  await page.getByRole('tab', { name: 'Password & Security' }).click();
  await page.waitForURL('**/profile/security');
  assert.equal(await page.getByRole('tab', { name: 'Password & Security' }).getAttribute('aria-selected'), 'true');
  await page.getByRole('heading', { name: 'Two-Factor Authentication (2FA)' }).waitFor();
  await page.getByText('Two-factor authentication is not set up.').waitFor();
  assert.ok(await page.getByRole('button', { name: 'Add Authenticator App' }).isVisible());
  assert.ok(await page.getByRole('button', { name: 'Add Phone Number' }).isVisible());
  assert.equal(await page.locator('h1').count(), 1, 'one h1 per page');
  await page.screenshot({ path: path.join(artifacts, 'security-en.png'), fullPage: true });

  await page.getByRole('button', { name: 'Français' }).click();
  await page.getByRole('heading', { name: 'Authentification à deux facteurs (2FA)' }).waitFor();
  assert.ok(await page.getByRole('button', { name: "Ajouter une application d'authentification" }).isVisible());
  assert.ok(await page.getByRole('button', { name: 'Ajouter un numéro de téléphone' }).isVisible());
  assert.ok(await page.getByRole('tab', { name: 'Mot de passe et sécurité' }).isVisible());
  assert.equal(await page.locator('html').getAttribute('lang'), 'fr');
  await page.screenshot({ path: path.join(artifacts, 'security-fr.png'), fullPage: true });

  // The choice survives a reload.
  await page.reload();
  await page.getByRole('heading', { name: 'Authentification à deux facteurs (2FA)' }).waitFor();
  await page.getByRole('button', { name: 'English' }).click();
  await page.getByRole('heading', { name: 'Two-Factor Authentication (2FA)' }).waitFor();

  await page.getByRole('button', { name: 'Account & Profile' }).click();
  await page.getByRole('menuitem', { name: 'Sign out' }).click();
  await page.waitForURL('**/sign-in');
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  assert.equal(await sessionCookie(page), undefined, 'cookie cleared');
  await page.goto('/profile/security');
  await page.waitForURL('**/sign-in?next=**');
  assert.deepEqual(page.errors, []);
});

test('a wrong password shows an error and sets no cookie', async () => {
  const page = await newPage(app.browser, app.server.url);
  await page.goto('/sign-in');
  await signIn(page, 'member@demo.test', 'not-the-password');
  const alert = page.getByRole('alert');
  await alert.getByText('The email or password is incorrect.').waitFor();
  assert.equal(await page.getByLabel('Password').getAttribute('aria-invalid'), 'true');
  assert.equal(await sessionCookie(page), undefined);
  assert.equal(new URL(page.url()).pathname, '/sign-in');
  // And in French.
  await page.getByRole('button', { name: 'Français' }).click();
  await alert.getByText("L'adresse e-mail ou le mot de passe est incorrect.").waitFor();
  assert.deepEqual(page.errors, []);
});

test('a deep link survives sign-in, and reloading keeps the tab', async () => {
  const page = await newPage(app.browser, app.server.url);
  await page.goto('/profile/security');
  await page.waitForURL((url) => url.pathname === '/sign-in' && url.searchParams.get('next') === '/profile/security');
  await signIn(page, 'payee@demo.test');
  await page.waitForURL('**/profile/security');
  await page.getByRole('heading', { name: 'Two-Factor Authentication (2FA)' }).waitFor();
  await page.getByText('As a payee, you must set up two-factor authentication.').waitFor();

  await page.reload();
  await page.getByRole('heading', { name: 'Two-Factor Authentication (2FA)' }).waitFor();
  assert.equal(new URL(page.url()).pathname, '/profile/security');
  assert.equal(await page.getByRole('tab', { name: 'Password & Security' }).getAttribute('aria-selected'), 'true');
  assert.deepEqual(page.errors, []);
});

test('the avatar menu works from the keyboard', async () => {
  const page = await newPage(app.browser, app.server.url);
  await page.goto('/sign-in');
  await signIn(page, 'admin@demo.test');
  await page.getByRole('heading', { name: 'Welcome, Alex' }).waitFor();
  const avatar = page.getByRole('button', { name: 'Account & Profile' });
  await avatar.focus();
  await page.keyboard.press('Enter');
  const first = page.getByRole('menuitem', { name: 'My Profile Settings' });
  await first.waitFor();
  await page.waitForFunction(() => document.activeElement?.textContent === 'My Profile Settings');
  // An admin's menu also has Company Settings.
  await page.keyboard.press('ArrowDown');
  assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Company Settings');
  await page.keyboard.press('End');
  assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Sign out');
  await page.keyboard.press('Escape');
  await first.waitFor({ state: 'detached' });
  assert.equal(await avatar.getAttribute('aria-expanded'), 'false');
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('aria-label')), 'Account & Profile');

  // Tabs: arrow keys move between them.
  await page.goto('/profile');
  const profileTab = page.getByRole('tab', { name: 'Profile', exact: true });
  await profileTab.focus();
  await page.keyboard.press('ArrowRight');
  await page.waitForURL('**/profile/security');
  await page.getByText('Company admin').waitFor({ state: 'detached' });
  assert.deepEqual(page.errors, []);
});

test('the generated demo password is printed at start and signs in', async () => {
  const generated = await startServer({ MFA_DEMO_PASSWORD: undefined });
  try {
    const m = /Password of all three: (\S+)/.exec(generated.stdout());
    assert.ok(m, `password printed: ${generated.stdout()}`);
    assert.match(m[1], /^[a-z2-9]{5}(-[a-z2-9]{5}){3}$/, 'a generated password');
    const page = await newPage(app.browser, generated.url);
    await page.goto('/sign-in');
    await signIn(page, 'member@demo.test', m[1]);
    await page.getByRole('heading', { name: 'Welcome, Morgan' }).waitFor();
  } finally {
    generated.stop();
  }
});
