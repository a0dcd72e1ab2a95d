// The company's allowed methods: the admin turns text messages off in
// Company Settings; a member can no longer add a phone number, a member
// whose only method is their phone sees the banner (they are not enrolled
// for the company any more), and the help article shows the company's
// methods, with a Passkey section of its own.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEMO_PASSWORD, audit, enrollAuthenticator, newPage, serverAndBrowser, signIn } from './helpers.mjs';

const app = serverAndBrowser();

function isoDate(daysAhead) {
  return new Date(Date.now() + daysAhead * 86400000).toISOString().slice(0, 10);
}

async function newestText(outbox) {
  await outbox.goto('/outbox');
  await outbox.getByRole('heading', { name: 'Outbox' }).waitFor();
  return (await outbox.locator('.outbox-body').first().textContent()).trim();
}

test('texts turned off: no phone can be added, a phone-only member is warned, the help follows', async () => {
  // Morgan's only method is their phone.
  const member = await newPage(app.browser, app.server.url, { bypassCSP: true });
  const outbox = await newPage(app.browser, app.server.url);
  await member.goto('/profile/security');
  await signIn(member, 'member@demo.test');
  await member.getByRole('button', { name: 'Add Phone Number' }).click();
  await member.getByRole('heading', { name: 'Confirm your password' }).waitFor();
  await member.getByLabel('Current password').fill(DEMO_PASSWORD);
  await member.getByRole('button', { name: 'Confirm password' }).click();
  const country = member.getByLabel('Country code');
  await country.locator('option').nth(12).waitFor({ state: 'attached' });
  await country.selectOption({ label: 'France (+33)' });
  await member.getByLabel('Phone number').fill('06 12 34 56 78');
  await member.getByRole('button', { name: 'Send Text Message' }).click();
  await member.getByRole('heading', { name: 'Enter the code we texted you' }).waitFor();
  const text = await newestText(outbox);
  await member.getByLabel('6-digit code').fill(/#(\d{6})$/.exec(text)[1]);
  await member.getByRole('button', { name: 'Continue' }).click();
  await member.getByLabel('I have saved my recovery code').check();
  await member.getByRole('button', { name: 'Finish' }).click();
  await member.waitForURL('**/profile/security');

  // The admin requires MFA from a date and turns text messages off.
  const admin = await newPage(app.browser, app.server.url, { bypassCSP: true });
  await admin.goto('/profile/security');
  await signIn(admin, 'admin@demo.test');
  await enrollAuthenticator(admin);
  await admin.goto('/company/settings');
  await admin.getByRole('heading', { name: 'Company Settings', level: 1 }).waitFor();
  const methods = admin.getByRole('group', { name: 'Allowed methods' });
  for (const name of ['Authenticator app', 'Text message (SMS)', 'Passkey']) {
    assert.equal(await methods.getByLabel(name).isChecked(), true, `${name}: on by default`);
  }
  await audit(admin, 'company settings with allowed methods');
  // At least one stays on.
  for (const name of ['Authenticator app', 'Text message (SMS)', 'Passkey']) await methods.getByLabel(name).uncheck();
  await admin.getByRole('button', { name: 'Save' }).click();
  await admin.getByRole('alert').getByText('Choose at least one method.').waitFor();
  await methods.getByLabel('Authenticator app').check();
  await methods.getByLabel('Passkey').check();
  await admin.getByLabel('Require two-factor authentication').check();
  await admin.getByLabel('Enforcement date').fill(isoDate(10));
  await admin.getByRole('button', { name: 'Save' }).click();
  await admin.getByText('Saved.').waitFor();
  await admin.getByRole('row', { name: /Morgan Member/ }).getByText('needs another method').waitFor();

  // Morgan: the banner, the notice, and no Add Phone Number.
  await member.reload();
  await member.getByText('Demo Construction requires two-factor authentication from', { exact: false }).waitFor();
  await member.getByText('Your company no longer accepts the method you set up.').waitFor();
  assert.equal(await member.getByRole('button', { name: 'Add Phone Number' }).count(), 0);
  assert.equal(await member.getByRole('button', { name: 'Change phone number' }).count(), 0);
  await member.getByRole('button', { name: 'Add Authenticator App' }).waitFor();
  await audit(member, 'security tab, needing another method');

  // The help article: the company's methods, Passkey with its steps.
  await member.goto('/help/mfa');
  const passkey = member.getByRole('region', { name: 'Passkey' });
  await passkey.getByRole('button', { name: 'Show steps' }).click();
  await passkey.getByRole('button', { name: 'Hide steps' }).waitFor();
  await passkey.getByText('Sign in with a passkey', { exact: false }).waitFor();
  assert.equal(await member.getByRole('region', { name: 'Text message (SMS)' }).count(), 0);
  await audit(member, 'help, the company\'s methods');

  // The same screens in French.
  await member.getByRole('button', { name: 'Français' }).click();
  await member.getByRole('region', { name: "Clé d'accès" }).getByRole('button', { name: 'Masquer les étapes' }).waitFor();
  await audit(member, 'help, the company\'s methods (fr)');
  await member.goto('/profile/security');
  await member.getByText("Votre entreprise n'accepte plus la méthode que vous avez configurée", { exact: false }).waitFor();
  await audit(member, 'security tab, needing another method (fr)');
  await admin.getByRole('button', { name: 'Français' }).click();
  await admin.getByRole('group', { name: 'Méthodes autorisées' }).waitFor();
  await admin.getByRole('row', { name: /Morgan Member/ }).getByText('doit ajouter une autre méthode').waitFor();
  await audit(admin, 'company settings with allowed methods (fr)');

  // Signed out, the article shows every method.
  const visitor = await newPage(app.browser, app.server.url);
  await visitor.goto('/help/mfa');
  await visitor.getByRole('region', { name: 'Text message (SMS)' }).waitFor();
  await visitor.getByRole('region', { name: 'Passkey' }).waitFor();
  assert.deepEqual([...member.errors, ...admin.errors], []);
});
