// Passwords as a person meets them: changing one's own on the Password &
// Security tab, and a forgotten one reset from the emailed link, after
// which signing in still asks for the code. axe on every new screen, in
// English and French.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEMO_PASSWORD, audit, newPage, serverAndBrowser, signIn } from './helpers.mjs';
import { totp } from './totp.mjs';

const app = serverAndBrowser();
const NEW_PASSWORD = 'lantern orbit velvet quarry';

/** Calls the API as a script would, keeping the session cookie it is given. */
async function apiSession(email) {
  let cookie = '';
  const call = async (method, path, body) => {
    const reply = await fetch(app.server.url + path, {
      method,
      headers: { 'content-type': 'application/json', 'x-mfa-csrf': '1', cookie },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const fresh = reply.headers.getSetCookie().map((c) => c.split(';')[0]).find((c) => c.startsWith('mfa_session='));
    if (fresh) cookie = fresh;
    assert.ok(reply.ok, `${method} ${path}: ${reply.status}`);
    return reply.status === 204 ? null : reply.json();
  };
  await call('POST', '/api/sign-in', { email, password: DEMO_PASSWORD });
  return call;
}

/** The link of the newest reset email to `to`, from the demo's outbox page. */
async function resetLinkFor(page, to) {
  for (let i = 0; i < 40; i++) {
    await page.goto('/outbox');
    await page.getByRole('heading', { name: 'Outbox' }).waitFor();
    const email = page.locator('li.outbox-message', { hasText: to }).filter({ hasText: 'Choose a new TwoStep password' }).first();
    if (await email.count()) {
      const body = await email.locator('pre').textContent();
      return new URL(/https?:\/\/\S+\/reset-password\/[0-9a-f]{64}/.exec(body)[0]).pathname;
    }
    await page.waitForTimeout(500);
  }
  throw new Error(`no reset email to ${to}`);
}

test('a member changes their password on the Password & Security tab', async () => {
  const page = await newPage(app.browser, app.server.url, { bypassCSP: true });
  await page.goto('/profile/security');
  await signIn(page, 'member@demo.test');
  const section = page.locator('section', { has: page.getByRole('heading', { name: 'Password', level: 2 }) });
  await section.waitFor();
  await section.getByLabel('Current password').fill(DEMO_PASSWORD);
  await section.getByLabel('New password').fill('password123');
  await section.getByRole('button', { name: 'Change password' }).click();
  await section.getByText('This is one of the most used passwords.', { exact: false }).waitFor();
  await audit(page, 'change password refused');
  await section.getByLabel('Current password').fill(DEMO_PASSWORD);
  await section.getByLabel('New password').fill(NEW_PASSWORD);
  await section.getByRole('button', { name: 'Change password' }).click();
  await section.getByText('Your password was changed.').waitFor();
  await audit(page, 'password changed');
  // Signed in elsewhere with the new password only.
  const other = await newPage(app.browser, app.server.url);
  await other.goto('/sign-in');
  await signIn(other, 'member@demo.test');
  await other.getByText('The email or password is incorrect.').waitFor();
  await signIn(other, 'member@demo.test', NEW_PASSWORD);
  await other.waitForURL((u) => u.pathname === '/');
  assert.deepEqual(page.errors, []);
  assert.deepEqual(other.errors, []);
});

test('a forgotten password is reset from the emailed link, and the code is still asked', async () => {
  // The admin has an authenticator app.
  const call = await apiSession('admin@demo.test');
  await call('POST', '/api/reauth', { password: DEMO_PASSWORD });
  const { secret } = await call('POST', '/api/factors/totp', {});
  await call('POST', '/api/factors/totp/confirm', { code: totp(secret) });

  const page = await newPage(app.browser, app.server.url, { bypassCSP: true });
  await page.goto('/sign-in');
  await page.getByRole('link', { name: 'Forgot your password?' }).click();
  await page.getByRole('heading', { name: 'Forgot your password?', level: 1 }).waitFor();
  await audit(page, 'forgot password');
  await page.getByLabel('Email').fill('admin@demo.test');
  await page.getByRole('button', { name: 'Send reset link' }).click();
  await page.getByText("If an account exists for that address, we've sent a link.").waitFor();
  await audit(page, 'reset link sent');

  const link = await resetLinkFor(page, 'admin@demo.test');
  await page.goto(link);
  await page.getByRole('heading', { name: 'Choose a new password', level: 1 }).waitFor();
  await page.getByLabel('New password').waitFor();
  await audit(page, 'choose a new password');
  await page.getByLabel('New password').fill(NEW_PASSWORD);
  await page.getByRole('button', { name: 'Set new password' }).click();
  await page.getByText('Your password was changed. Sign in with it.').waitFor();
  await page.getByRole('link', { name: 'Sign in' }).click();
  await page.waitForURL('**/sign-in');
  await signIn(page, 'admin@demo.test', NEW_PASSWORD);
  // No way around the second factor.
  await page.getByRole('heading', { name: 'Two-step verification' }).waitFor();
  await page.getByLabel('6-digit code').fill(totp(secret, Date.now() / 1000 + 30));
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.waitForURL((u) => u.pathname === '/');
  // The link worked once.
  await page.goto(link);
  await page.getByText('This link no longer works', { exact: false }).waitFor();
  await audit(page, 'used reset link');
  assert.deepEqual(page.errors, []);
});

test('the password pages pass axe in French', async () => {
  const context = await app.browser.newContext({ baseURL: app.server.url, bypassCSP: true, locale: 'fr-FR' });
  const page = await context.newPage();
  await page.goto('/forgot-password');
  await page.locator('html[lang="fr"]').waitFor();
  await page.getByRole('heading', { name: 'Mot de passe oublié ?', level: 1 }).waitFor();
  await audit(page, 'forgot password (fr)');
  await page.getByLabel('E-mail', { exact: false }).fill('payee@demo.test');
  await page.getByRole('button', { name: 'Envoyer le lien' }).click();
  await page.getByText("S'il existe un compte pour cette adresse, nous avons envoyé un lien.").waitFor();
  await audit(page, 'reset link sent (fr)');
  await page.goto(`/reset-password/${'0'.repeat(64)}`);
  await page.getByText('Ce lien ne fonctionne plus', { exact: false }).waitFor();
  await audit(page, 'expired reset link (fr)');
  await context.close();
});
