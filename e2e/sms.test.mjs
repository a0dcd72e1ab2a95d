// Text-message codes end to end, with the demo outbox standing in for the
// phone: enroll a French mobile, sign in with a texted code, the payee's
// single country, and a user with both factors choosing the preferred one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { DEMO_PASSWORD, newPage, root, serverAndBrowser, signIn } from './helpers.mjs';
import { step, totp } from './totp.mjs';

const artifacts = path.join(root, 'e2e', 'artifacts');
const app = serverAndBrowser();
const MASKED = '+33 • •• •• •• 78';

/** Reads the newest text from the /outbox page, as the person running the demo would. */
async function newestText(outbox) {
  await outbox.goto('/outbox');
  await outbox.getByRole('heading', { name: 'Outbox' }).waitFor();
  const body = (await outbox.locator('.outbox-body').first().textContent()).trim();
  const code = body.split(/\s/)[0];
  assert.match(code, /^\d{6}$/, body);
  return { body, code };
}

/** Reloads /outbox until an email with `subject` is listed (the server's worker sends every 2 s). */
async function waitForEmail(outbox, subject) {
  for (let i = 0; i < 20; i++) {
    await outbox.goto('/outbox');
    await outbox.getByRole('heading', { name: 'Outbox' }).waitFor();
    if (await outbox.getByText(subject, { exact: false }).count()) return;
    await outbox.waitForTimeout(500);
  }
  assert.fail(`no email "${subject}" in the outbox`);
}

async function signOut(page) {
  await page.getByRole('button', { name: 'Account & Profile' }).click();
  await page.getByRole('menuitem', { name: 'Sign out' }).click();
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
}

async function openSecurityTab(page) {
  await page.getByRole('button', { name: 'Account & Profile' }).click();
  await page.getByRole('menuitem', { name: 'My Profile Settings' }).click();
  await page.getByRole('tab', { name: 'Password & Security' }).click();
}

test('a member adds a French mobile with the code from the outbox, then signs in by text', async () => {
  const page = await newPage(app.browser, app.server.url);
  const outbox = await newPage(app.browser, app.server.url);
  await page.goto('/');
  await signIn(page, 'member@demo.test');
  await openSecurityTab(page);
  await page.getByRole('button', { name: 'Add Phone Number' }).click();
  await page.getByRole('heading', { name: 'Confirm your password' }).waitFor();
  await page.getByLabel('Current password').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Confirm password' }).click();

  await page.getByRole('heading', { name: 'Add Phone Number' }).waitFor();
  const country = page.getByLabel('Country code');
  await country.locator('option').nth(12).waitFor({ state: 'attached' });
  const options = await country.locator('option').allTextContents();
  assert.equal(options.length, 13);
  assert.ok(options.includes('France (+33)'), options.join(', '));
  assert.ok(options.includes('United States (+1)'));
  await country.selectOption({ label: 'France (+33)' });
  // Not a mobile: refused with a reason, nothing sent.
  await page.getByLabel('Phone number').fill('01 42 68 53 00');
  await page.getByRole('button', { name: 'Send Text Message' }).click();
  await page.getByRole('alert').getByText('not a mobile number', { exact: false }).waitFor();
  await page.getByLabel('Phone number').fill('06 12 34 56 78');
  await page.getByRole('button', { name: 'Send Text Message' }).click();

  await page.getByRole('heading', { name: 'Enter the code we texted you' }).waitFor();
  await page.getByText(`We sent a 6-digit code to ${MASKED}`, { exact: false }).waitFor();
  const resend = page.getByRole('button', { name: /Resend in \d+ s/ });
  assert.equal(await resend.isDisabled(), true, 'resend waits a minute');
  const codeField = page.getByLabel('6-digit code');
  assert.equal(await codeField.getAttribute('autocomplete'), 'one-time-code');
  assert.equal(await codeField.getAttribute('inputmode'), 'numeric');

  const { body, code } = await newestText(outbox);
  assert.ok(body.includes('TwoStep'), body);
  assert.ok(body.endsWith(`@127.0.0.1 #${code}`), body);
  await outbox.getByText('To +33612345678', { exact: false }).waitFor();
  await page.screenshot({ path: path.join(artifacts, 'sms-code.png'), fullPage: true });
  await codeField.fill(code);
  await page.getByRole('button', { name: 'Continue' }).click();

  // The first factor: the recovery code, then back to the tab.
  await page.getByRole('heading', { name: 'Save your recovery code' }).waitFor();
  await page.getByLabel('I have saved my recovery code').check();
  await page.getByRole('button', { name: 'Finish' }).click();
  await page.waitForURL('**/profile/security');
  await page.getByText('Text message (SMS)', { exact: true }).waitFor();
  await page.getByText(MASKED).waitFor();
  await page.getByRole('button', { name: 'Change phone number' }).waitFor();
  // The member is told, by email (the server's worker sends the queue).
  await waitForEmail(outbox, 'A phone number for text-message codes was added to your account');
  await outbox.getByText('To member@demo.test', { exact: false }).first().waitFor();

  // Sign in: nothing is texted until asked.
  await signOut(page);
  await signIn(page, 'member@demo.test');
  await page.getByRole('heading', { name: 'Two-step verification' }).waitFor();
  await page.getByText(`We will text a 6-digit code to ${MASKED}`, { exact: false }).waitFor();
  assert.equal((await newestText(outbox)).code, code, 'no new text yet');
  await page.getByRole('button', { name: 'Text me a code' }).click();
  await page.getByText(`We sent a code to ${MASKED}`, { exact: false }).waitFor();
  const signInCode = (await newestText(outbox)).code;
  const field = page.getByLabel('6-digit code');
  assert.equal(await field.getAttribute('autocomplete'), 'one-time-code');
  await field.fill(signInCode);
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('heading', { name: 'Welcome, Morgan' }).waitFor();
  assert.deepEqual(page.errors, []);
  assert.deepEqual(outbox.errors, []);
});

test('a payee is offered the United States only', async () => {
  const page = await newPage(app.browser, app.server.url);
  await page.goto('/profile/security/phone');
  await signIn(page, 'payee@demo.test');
  await page.getByLabel('Current password').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Confirm password' }).click();
  const country = page.getByLabel('Country code');
  await country.locator('option').first().waitFor({ state: 'attached' });
  assert.deepEqual(await country.locator('option').allTextContents(), ['United States (+1)']);
  await page.getByText('United States only', { exact: false }).waitFor();
  assert.deepEqual(page.errors, []);
});

test('with both factors, either signs in, and the preferred one comes first', async () => {
  const page = await newPage(app.browser, app.server.url);
  const outbox = await newPage(app.browser, app.server.url);
  // The member from the first test has a phone; add the authenticator app.
  await page.goto('/profile/security/authenticator');
  await signIn(page, 'member@demo.test');
  await page.getByRole('button', { name: 'Text me a code' }).click();
  await page.getByText(`We sent a code to ${MASKED}`, { exact: false }).waitFor();
  await page.getByLabel('6-digit code').fill((await newestText(outbox)).code);
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByLabel('Current password').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Confirm password' }).click();
  const key = (await page.locator('#setup-key').textContent()).replace(/\s/g, '');
  const enrolledAt = Date.now() / 1000;
  await page.getByLabel('6-digit code').fill(totp(key, enrolledAt));
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.waitForURL('**/profile/security');
  await page.getByText('Authenticator app', { exact: true }).waitFor();
  await page.getByText('Preferred', { exact: true }).waitFor();

  // The phone (first added) is preferred; the app is under "Use another method".
  await signOut(page);
  await signIn(page, 'member@demo.test');
  await page.getByRole('button', { name: 'Text me a code' }).waitFor();
  await page.getByRole('button', { name: 'Use another method' }).click();
  const others = page.getByRole('list', { name: 'Other ways to sign in' });
  await others.getByRole('button', { name: 'Recovery code' }).waitFor();
  await others.getByRole('button', { name: 'Authenticator app' }).click();
  // A step after the one used at enrollment (a code's step works once).
  const later = Math.max(Date.now() / 1000, (step(enrolledAt) + 1) * 30);
  await page.getByLabel('6-digit code').fill(totp(key, later));
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('heading', { name: /Welcome/ }).waitFor();

  // Make the app the preferred method.
  await openSecurityTab(page);
  await page.getByRole('button', { name: 'Make preferred: Authenticator app' }).click();
  await page.getByRole('button', { name: 'Make preferred: Text message (SMS)' }).waitFor();
  await page.screenshot({ path: path.join(artifacts, 'both-factors.png'), fullPage: true });
  await signOut(page);
  await signIn(page, 'member@demo.test');
  await page.getByText('Open your authenticator app', { exact: false }).waitFor();
  await page.getByRole('button', { name: 'Use another method' }).click();
  await page
    .getByRole('list', { name: 'Other ways to sign in' })
    .getByRole('button', { name: `Text message to ${MASKED}` })
    .click();
  await page.getByRole('button', { name: 'Text me a code' }).click();
  await page.getByText(`We sent a code to ${MASKED}`, { exact: false }).waitFor();
  await page.getByLabel('6-digit code').fill((await newestText(outbox)).code);
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('heading', { name: /Welcome/ }).waitFor();
  assert.deepEqual(page.errors, []);
});
