// A company rollout: the admin requires MFA from a date 10 days ahead; the
// member sees the banner and finds the email in the outbox.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DEMO_PASSWORD, audit, launchBrowser, newPage, root, signIn, startServer } from './helpers.mjs';
import { totp } from './totp.mjs';

const artifacts = path.join(root, 'e2e', 'artifacts');
// One data dir for the whole file: the last test restarts the server on it
// with the demo clock moved past the deadline.
const app = {};
before(async () => {
  app.server = await startServer({}, { keepData: true });
  app.browser = await launchBrowser();
});
after(async () => {
  await app.browser?.close();
  await app.server?.stop();
  rmSync(app.server.dataDir, { recursive: true, force: true });
});

function isoDate(daysAhead) {
  const d = new Date(Date.now() + daysAhead * 86400000);
  return d.toISOString().slice(0, 10);
}

test('the admin sets a deadline; the member sees the banner and gets the email', async () => {
  const admin = await newPage(app.browser, app.server.url, { bypassCSP: true });
  // The admin enrolls first (requiring MFA without it is refused).
  await admin.goto('/profile/security/authenticator');
  await signIn(admin, 'admin@demo.test');
  await admin.getByLabel('Current password').fill(DEMO_PASSWORD);
  await admin.getByRole('button', { name: 'Confirm password' }).click();
  const key = (await admin.locator('#setup-key').textContent()).replace(/\s/g, '');
  writeFileSync(path.join(app.server.dataDir, 'e2e-admin-key'), key);
  await admin.getByLabel('6-digit code').fill(totp(key));
  await admin.getByRole('button', { name: 'Continue' }).click();
  await admin.getByLabel('I have saved my recovery code').check();
  await admin.getByRole('button', { name: 'Finish' }).click();
  await admin.waitForURL('**/profile/security');

  await admin.getByRole('button', { name: 'Account & Profile' }).click();
  await admin.getByRole('menuitem', { name: 'Company Settings' }).click();
  await admin.getByRole('heading', { name: 'Company Settings', level: 1 }).waitFor();
  await admin.getByLabel('Time zone').locator('option').first().waitFor({ state: 'attached' });
  await audit(admin, 'company settings');
  await admin.getByLabel('Require two-factor authentication').check();
  const date = isoDate(10);
  await admin.getByLabel('Enforcement date').fill(date);
  assert.equal(await admin.getByLabel('Time zone').inputValue(), 'UTC');
  await admin.getByRole('button', { name: 'Save' }).click();
  await admin.getByText('Saved.').waitFor();
  await audit(admin, 'company settings saved');
  await admin.screenshot({ path: path.join(artifacts, 'company-settings.png'), fullPage: true });

  // A member without a factor: the banner, on every page, until dismissed.
  const member = await newPage(app.browser, app.server.url, { bypassCSP: true });
  await member.goto('/');
  await signIn(member, 'member@demo.test');
  const banner = member.getByText('Demo Construction requires two-factor authentication from', { exact: false });
  await banner.waitFor();
  assert.match(await banner.textContent(), /: 10 days left\./);
  await audit(member, 'deadline banner');
  await member.screenshot({ path: path.join(artifacts, 'deadline-banner.png'), fullPage: true });
  await member.getByRole('link', { name: 'Set it up now' }).click();
  await member.waitForURL('**/profile/security');
  await banner.waitFor();
  await member.getByRole('button', { name: 'Dismiss' }).click();
  assert.equal(await banner.count(), 0);

  // The email, from the server's worker, in the outbox.
  const outbox = await newPage(app.browser, app.server.url);
  const subject = `Set up two-factor authentication before ${date}`;
  for (let i = 0; i < 20 && !(await outbox.getByText(subject).count()); i++) {
    await outbox.goto('/outbox');
    await outbox.getByRole('heading', { name: 'Outbox' }).waitFor();
    if (await outbox.getByText(subject).count()) break;
    await outbox.waitForTimeout(500);
  }
  assert.ok(await outbox.getByText(subject).count(), 'the deadline email is in the outbox');
  assert.deepEqual(admin.errors, []);
  assert.deepEqual(member.errors, []);
});

test('a member gets no Company Settings, and the server refuses them anyway', async () => {
  const member = await newPage(app.browser, app.server.url);
  await member.goto('/');
  await signIn(member, 'member@demo.test');
  await member.getByRole('heading', { name: 'Welcome, Morgan' }).waitFor();
  await member.getByRole('button', { name: 'Account & Profile' }).click();
  await member.getByRole('menuitem', { name: 'Sign out' }).waitFor();
  assert.equal(await member.getByRole('menuitem', { name: 'Company Settings' }).count(), 0);
  const status = await member.evaluate(async () => (await fetch('/api/companies/1/mfa-policy')).status);
  assert.equal(status, 403);
});

test('the dashboard lists the member, sends a reminder and exports the CSV', async () => {
  const admin = await newPage(app.browser, app.server.url, { bypassCSP: true });
  await admin.goto('/company/settings');
  await signIn(admin, 'admin@demo.test');
  await admin.getByRole('heading', { name: 'Two-step verification' }).waitFor();
  // (The admin enrolled in the first test: a fresh code from the app.)
  const key = readFileSync(path.join(app.server.dataDir, 'e2e-admin-key'), 'utf8');
  await admin.getByLabel('6-digit code').fill(totp(key, Date.now() / 1000 + 30));
  await admin.getByRole('button', { name: 'Continue' }).click();
  await admin.getByRole('heading', { name: 'Readiness' }).waitFor();
  await admin.getByText('1 of 3 members enrolled').waitFor();
  await admin.getByText('Members 1–2 of 2').waitFor();
  assert.ok(await admin.getByRole('button', { name: 'Next page' }).isDisabled());
  const row = admin.getByRole('row', { name: /Morgan Member/ });
  await row.waitFor();
  assert.match(await row.textContent(), /member@demo\.test/);
  await audit(admin, 'readiness dashboard');
  await row.getByRole('button', { name: 'Send reminder now' }).click();
  await admin.getByText('Reminders sent: 1.', { exact: false }).waitFor();
  // Sorting and the filter.
  await admin.getByRole('button', { name: 'Name' }).click();
  assert.equal(await admin.getByRole('columnheader', { name: 'Name' }).getAttribute('aria-sort'), 'descending');
  // The server filters: Morgan's row goes once its answer is in.
  await admin.getByLabel('Filter').fill('pat');
  await admin.getByRole('row', { name: /Morgan Member/ }).waitFor({ state: 'detached' });
  await admin.getByRole('row', { name: /Pat Payee/ }).waitFor();
  await admin.getByText('Members 1–1 of 1').waitFor();
  await admin.getByLabel('Filter').fill('');
  const [download] = await Promise.all([
    admin.waitForEvent('download'),
    admin.getByRole('link', { name: 'Export CSV' }).click(),
  ]);
  const saved = path.join(artifacts, download.suggestedFilename());
  await download.saveAs(saved);
  const csv = readFileSync(saved, 'utf8');
  assert.match(csv, /^name,email,last_sign_in,reminders_sent/);
  assert.match(csv, /Morgan Member,member@demo\.test,/);
  assert.ok(!csv.includes('admin@demo.test'), 'the enrolled admin is not listed');
  await admin.screenshot({ path: path.join(artifacts, 'readiness.png'), fullPage: true });
  assert.deepEqual(admin.errors, []);
});

test('a change to the policy asks for the password first, then is saved as it was', async () => {
  const admin = await newPage(app.browser, app.server.url, { bypassCSP: true });
  await admin.goto('/company/settings');
  await signIn(admin, 'admin@demo.test');
  await admin.getByRole('heading', { name: 'Two-step verification' }).waitFor();
  const key = readFileSync(path.join(app.server.dataDir, 'e2e-admin-key'), 'utf8');
  // A code of a time step the earlier sign-ins did not use: the next
  // window's, once this one has begun (each step signs in once).
  await admin.waitForTimeout(30000 - (Date.now() % 30000) + 200);
  await admin.getByLabel('6-digit code').fill(totp(key, Date.now() / 1000 + 30));
  await admin.getByRole('button', { name: 'Continue' }).click();
  await admin.getByRole('heading', { name: 'Company Settings', level: 1 }).waitFor();
  await admin.getByLabel('Time zone').locator('option').first().waitFor({ state: 'attached' });
  await admin.getByLabel('Days for people who join after the date').fill('21');
  await admin.getByRole('button', { name: 'Save' }).click();
  // Freshly signed in is not enough: the password, again.
  await admin.getByRole('heading', { name: 'Confirm your password' }).waitFor();
  assert.equal(await admin.getByText('Saved.').count(), 0);
  await audit(admin, 'company settings: confirm your password');
  await admin.getByLabel('Current password').fill(DEMO_PASSWORD);
  await admin.getByRole('button', { name: 'Confirm password' }).click();
  await admin.getByText('Saved.').waitFor();
  assert.equal(await admin.getByRole('heading', { name: 'Confirm your password' }).count(), 0);
  await admin.reload();
  await admin.getByLabel('Time zone').locator('option').first().waitFor({ state: 'attached' });
  assert.equal(await admin.getByLabel('Days for people who join after the date').inputValue(), '21');
  assert.deepEqual(admin.errors, []);
});

test('past the deadline (demo clock), the member can only enroll', async () => {
  const dataDir = app.server.dataDir;
  await app.server.stop();
  app.server = await startServer({ MFA_DEMO_CLOCK_OFFSET_DAYS: '11' }, { dataDir, keepData: true });
  const member = await newPage(app.browser, app.server.url);
  await member.goto('/');
  await signIn(member, 'member@demo.test');
  await member.waitForURL('**/profile/security');
  await member.getByRole('heading', { name: 'Two-factor authentication is required' }).waitFor();
  await member.getByText('Your company requires two-factor authentication.').waitFor();
  // Nothing else opens.
  await member.goto('/profile');
  await member.waitForURL('**/profile/security');
  const status = await member.evaluate(async () => (await fetch('/api/companies/1/readiness')).status);
  assert.equal(status, 403);
  await member.getByRole('button', { name: 'Add Authenticator App' }).waitFor();
  assert.deepEqual(member.errors, []);
});
