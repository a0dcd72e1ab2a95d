// Devices and activity as a person meets them: "Don't ask again on this
// browser", the second browser still asked for a code, "Where you're signed
// in" with "Sign out everywhere else", "Trusted browsers" with "Forget",
// "Recent security activity" in English and French, and the company's
// "Audit log" for its admin. axe on every new section.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { DEMO_PASSWORD, audit, enrollAuthenticator, newPage, serverAndBrowser, signIn } from './helpers.mjs';
import { totp } from './totp.mjs';

const app = serverAndBrowser();

/**
 * A code for `key` from a time step not used yet in this file: the current
 * one, or the next (a code works once, and only near its time).
 */
const used = new Set();
async function freshCode(key) {
  const step = () => Math.floor(Date.now() / 30000);
  while (used.has(step())) await new Promise((done) => setTimeout(done, 500));
  used.add(step());
  return totp(key, Date.now() / 1000);
}

async function signOut(page) {
  await page.getByRole('button', { name: 'Account & Profile' }).click();
  await page.getByRole('menuitem', { name: 'Sign out' }).click();
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
}

const section = (page, name) => page.locator('section', { has: page.getByRole('heading', { name, level: 2 }) });

let morganKey;

test('a trusted browser skips the code; another browser is asked; sessions are signed out elsewhere', async () => {
  const page = await newPage(app.browser, app.server.url, { bypassCSP: true });
  await page.goto('/profile/security');
  await signIn(page, 'member@demo.test');
  await page.getByRole('button', { name: 'Add Authenticator App' }).waitFor();
  morganKey = await enrollAuthenticator(page);
  used.add(Math.floor(Date.now() / 30000));
  await signOut(page);

  // The second step, "Don't ask again" ticked.
  await signIn(page, 'member@demo.test');
  const remember = page.getByLabel("Don't ask again on this browser for 30 days");
  await remember.waitFor();
  await audit(page, 'second step with the remember box');
  await remember.check();
  await page.getByLabel('6-digit code').fill(await freshCode(morganKey));
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.waitForURL((u) => u.pathname === '/');
  await signOut(page);

  // Back on this browser: the password only.
  await signIn(page, 'member@demo.test');
  await page.waitForURL((u) => u.pathname === '/');
  assert.equal(await page.getByLabel('6-digit code').count(), 0);

  // Another browser: the code is asked, and nothing is ticked for it.
  const other = await newPage(app.browser, app.server.url);
  await other.goto('/profile/security');
  await signIn(other, 'member@demo.test');
  await other.getByLabel('6-digit code').fill(await freshCode(morganKey));
  assert.equal(await other.getByLabel("Don't ask again on this browser for 30 days").isChecked(), false);
  await other.getByRole('button', { name: 'Continue' }).click();
  await other.getByRole('heading', { name: "Where you're signed in" }).waitFor();

  // "Where you're signed in", from the first browser.
  await page.goto('/profile/security');
  const sessions = section(page, "Where you're signed in");
  await sessions.getByText('This browser').waitFor();
  assert.ok((await sessions.getByRole('listitem').count()) >= 2);
  await sessions.getByText(/Address 127\.0\.0\.1/).first().waitFor();
  const trusted = section(page, 'Trusted browsers');
  await trusted.getByRole('button', { name: 'Forget', exact: true }).waitFor();
  const activity = section(page, 'Recent security activity');
  await activity.getByRole('cell', { name: 'Second step skipped on a trusted browser' }).first().waitFor();
  await audit(page, 'the tab with sessions, trusted browsers and activity');

  await sessions.getByRole('button', { name: 'Sign out everywhere else' }).click();
  await sessions.getByText('Every other session is signed out.').waitFor();
  await other.reload();
  await other.getByLabel('Email').waitFor();
  assert.equal(await sessions.getByRole('listitem').count(), 1);

  // Signing out elsewhere kept the trusted browser; "Forget" ends it.
  await trusted.getByRole('button', { name: 'Forget', exact: true }).click();
  await trusted.getByText('No browser is trusted.').waitFor();
  await signOut(page);
  await signIn(page, 'member@demo.test');
  await page.getByLabel('6-digit code').waitFor();
  assert.deepEqual(page.errors, []);
  assert.deepEqual(other.errors, []);
});

test('the activity shows a failed sign-in from another browser, in English and French', async () => {
  const stranger = await newPage(app.browser, app.server.url);
  await stranger.goto('/sign-in');
  await signIn(stranger, 'member@demo.test', 'not the password at all');
  await stranger.getByText('The email or password is incorrect.').waitFor();

  const page = await newPage(app.browser, app.server.url, { bypassCSP: true });
  await page.goto('/profile/security');
  await signIn(page, 'member@demo.test');
  await page.getByLabel('6-digit code').fill(await freshCode(morganKey));
  await page.getByRole('button', { name: 'Continue' }).click();
  const activity = section(page, 'Recent security activity');
  const failed = activity.getByRole('row', { name: /Failed sign-in: wrong password/ }).first();
  await failed.waitFor();
  assert.match(await failed.textContent(), /127\.0\.0\.1/);
  assert.match(await failed.textContent(), /Chrom/);
  await activity.getByRole('row', { name: /Added: Authenticator app/ }).waitFor();

  await page.getByRole('button', { name: 'Français' }).click();
  const fr = section(page, 'Activité de sécurité récente');
  await fr.getByRole('row', { name: /Échec de connexion : mauvais mot de passe/ }).first().waitFor();
  await section(page, 'Où vous êtes connecté').getByText('Ce navigateur').waitFor();
  await audit(page, 'the tab in French');
  await page.getByRole('button', { name: 'English' }).click();
  assert.deepEqual(page.errors, []);
});

test("the admin reads, filters and exports the company's audit log", async () => {
  const page = await newPage(app.browser, app.server.url, { bypassCSP: true });
  await page.goto('/profile/security');
  await signIn(page, 'admin@demo.test');
  await page.getByRole('button', { name: 'Account & Profile' }).click();
  await page.getByRole('menuitem', { name: 'Company Settings' }).click();
  const log = section(page, 'Audit log');
  await log.getByRole('listitem').filter({ hasText: 'member@demo.test' }).first().waitFor();
  await log.getByLabel('Event').locator('option', { hasText: 'Method added' }).waitFor({ state: 'attached' });
  await audit(page, 'company settings with the audit log');

  await log.getByLabel("Member's email").fill('admin@demo.test');
  await log.getByRole('button', { name: 'Apply filters' }).click();
  await log.getByRole('listitem').filter({ hasText: 'member@demo.test' }).first().waitFor({ state: 'detached' });
  await log.getByRole('listitem').filter({ hasText: 'admin@demo.test' }).first().waitFor();

  await log.getByRole('button', { name: 'Clear filters' }).click();
  await log.getByLabel('Event').selectOption({ label: 'Method added' });
  await log.getByRole('button', { name: 'Apply filters' }).click();
  await log.getByRole('listitem').filter({ hasText: 'Added: Authenticator app' }).first().waitFor();
  assert.equal(await log.getByRole('listitem').filter({ hasText: 'Signed in: password accepted' }).count(), 0);
  // Company Settings' only table rows stay the readiness list's.
  assert.equal(await log.getByRole('row').count(), 0);

  const [download] = await Promise.all([
    page.waitForEvent('download'),
    log.getByRole('button', { name: 'Export CSV' }).click(),
  ]);
  const csv = readFileSync(await download.path(), 'utf8');
  assert.match(csv, /^time,event,detail,member_name,member_email,ip,browser,system\r\n/);
  assert.match(csv, /factor_added,authenticator_app,Morgan Member,member@demo\.test,127\.0\.0\.1/);
  assert.ok(!/sign_in,password/.test(csv), 'the filter applies to the export');

  // The export itself is in the log.
  await log.getByLabel('Event').selectOption({ label: 'Audit log exported' });
  await log.getByRole('button', { name: 'Apply filters' }).click();
  await log.getByRole('listitem').filter({ hasText: 'Audit log exported' }).waitFor();
  assert.deepEqual(page.errors, []);
});
