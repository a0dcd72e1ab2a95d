// A company from nothing: the operator's command invites its first admin,
// who joins from the link, enrolls, requires MFA and invites a member from
// Company Settings; the member joins from the emailed link and must enroll
// at once. axe on every new screen, in English and French.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { DEMO_PASSWORD, audit, newPage, serverAndBrowser, serverBin, signIn } from './helpers.mjs';
import { totp } from './totp.mjs';

const app = serverAndBrowser();
const ADMIN_PASSWORD = 'copper meadow lantern sixty';
const MEMBER_PASSWORD = 'violet harbor pebble ninety';

/** The invitation link of the newest email to `to`, from the demo's outbox. */
async function invitationFor(page, to) {
  for (let i = 0; i < 40; i++) {
    await page.goto('/outbox');
    await page.getByRole('heading', { name: 'Outbox' }).waitFor();
    const email = page.locator('li.outbox-message', { hasText: to }).filter({ hasText: "You're invited to join" }).first();
    if (await email.count()) {
      const body = await email.locator('pre').textContent();
      return new URL(/https?:\/\/\S+\/invitation\/[0-9a-f]{64}/.exec(body)[0]).pathname;
    }
    await page.waitForTimeout(500);
  }
  throw new Error(`no invitation to ${to}`);
}

test('the operator creates a company; its admin and a member join from their links', async () => {
  const out = execFileSync(serverBin, ['create-company', '--name', 'Acme Builders', '--admin-email', 'ops@acme.test', '--admin-name', 'Ada Lovelace'], {
    env: { ...process.env, MFA_DATA_DIR: app.server.dataDir, MFA_PUBLIC_URL: app.server.url, RUST_LOG: 'warn' },
  }).toString();
  const link = new URL(/http\S+\/invitation\/[0-9a-f]{64}/.exec(out)[0]).pathname;

  const admin = await newPage(app.browser, app.server.url, { bypassCSP: true });
  await admin.goto(link);
  await admin.getByRole('heading', { name: 'Join Acme Builders', level: 1 }).waitFor();
  assert.equal(await admin.getByLabel('Name').inputValue(), 'Ada Lovelace');
  await admin.getByText('ops@acme.test', { exact: false }).first().waitFor();
  await audit(admin, 'join');
  await admin.getByLabel('New password').fill('password1');
  await admin.getByRole('button', { name: 'Create account' }).click();
  await admin.getByText('This is one of the most used passwords.', { exact: false }).waitFor();
  await admin.getByLabel('New password').fill(ADMIN_PASSWORD);
  await admin.getByRole('button', { name: 'Create account' }).click();
  await admin.waitForURL((u) => u.pathname === '/');

  // The admin enrolls (requiring MFA without it is refused), then requires it.
  await admin.goto('/profile/security/authenticator');
  await admin.getByLabel('Current password').fill(ADMIN_PASSWORD);
  await admin.getByRole('button', { name: 'Confirm password' }).click();
  const key = (await admin.locator('#setup-key').textContent()).replace(/\s/g, '');
  await admin.getByLabel('6-digit code').fill(totp(key));
  await admin.getByRole('button', { name: 'Continue' }).click();
  await admin.getByLabel('I have saved my recovery code').check();
  await admin.getByRole('button', { name: 'Finish' }).click();
  await admin.waitForURL('**/profile/security');
  await admin.goto('/company/settings');
  await admin.getByRole('heading', { name: 'Company Settings', level: 1 }).waitFor();
  await admin.getByLabel('Time zone').locator('option').first().waitFor({ state: 'attached' });
  await admin.getByLabel('Require two-factor authentication').check();
  await admin.getByRole('button', { name: 'Save' }).click();
  await admin.getByText('Saved.').waitFor();

  // "Invite member".
  const members = admin.locator('section', { has: admin.getByRole('heading', { name: 'Members', level: 2 }) });
  await members.getByRole('button', { name: 'Invite member' }).click();
  await members.getByLabel('Email').fill('mia@acme.test');
  await members.getByLabel('Name').fill('Mia Member');
  await members.getByLabel('Role').selectOption({ label: 'Member' });
  await audit(admin, 'invite member');
  await members.getByRole('button', { name: 'Send invitation', exact: true }).click();
  await members.getByText('Invitation sent to mia@acme.test.').waitFor();
  await members.getByText('Mia Member').waitFor();
  await members.getByRole('button', { name: 'Resend invitation' }).waitFor();
  await members.getByRole('button', { name: 'Revoke invitation' }).waitFor();
  await audit(admin, 'pending invitations');
  // Inviting the same address again is refused, clearly.
  await members.getByRole('button', { name: 'Invite member' }).click();
  await members.getByLabel('Email').fill('mia@acme.test');
  await members.getByLabel('Name').fill('Mia Member');
  await members.getByRole('button', { name: 'Send invitation', exact: true }).click();
  await members.getByText('An invitation to this address is waiting already', { exact: false }).waitFor();

  // The member's email, their link: they join and must enroll at once.
  const member = await newPage(app.browser, app.server.url, { bypassCSP: true });
  const memberLink = await invitationFor(member, 'mia@acme.test');
  await member.goto(memberLink);
  await member.getByRole('heading', { name: 'Join Acme Builders', level: 1 }).waitFor();
  await member.getByLabel('New password').fill(MEMBER_PASSWORD);
  await member.getByRole('button', { name: 'Create account' }).click();
  await member.waitForURL('**/profile/security');
  await member.getByRole('heading', { name: 'Two-factor authentication is required' }).waitFor();
  // The link worked once.
  await member.goto(memberLink);
  await member.getByRole('heading', { name: 'This invitation was already used', level: 1 }).waitFor();
  await member.getByText('Ask Ada Lovelace for a new invitation.').waitFor();
  await audit(member, 'used invitation');
  assert.deepEqual(admin.errors, []);
  assert.deepEqual(member.errors, []);
});

test('the invitation pages pass axe in French', async () => {
  const out = execFileSync(serverBin, ['create-company', '--name', 'Boulangerie Martin', '--admin-email', 'chef@martin.test'], {
    env: { ...process.env, MFA_DATA_DIR: app.server.dataDir, MFA_PUBLIC_URL: app.server.url, RUST_LOG: 'warn' },
  }).toString();
  const link = new URL(/http\S+\/invitation\/[0-9a-f]{64}/.exec(out)[0]).pathname;
  const context = await app.browser.newContext({ baseURL: app.server.url, bypassCSP: true, locale: 'fr-FR' });
  const page = await context.newPage();
  await page.goto(link);
  await page.locator('html[lang="fr"]').waitFor();
  await page.getByRole('heading', { name: 'Rejoindre Boulangerie Martin', level: 1 }).waitFor();
  await audit(page, 'join (fr)');
  await page.goto(`/invitation/${'0'.repeat(64)}`);
  await page.getByRole('heading', { name: "Ce lien d'invitation ne fonctionne pas", level: 1 }).waitFor();
  await audit(page, 'unknown invitation (fr)');
  await context.close();
});

test('an admin changes a member role and removes someone, confirming the password once', async () => {
  const admin = await newPage(app.browser, app.server.url, { bypassCSP: true });
  await admin.goto('/company/settings');
  await signIn(admin, 'admin@demo.test');
  await admin.getByRole('heading', { name: 'Company Settings', level: 1 }).waitFor();
  await admin.getByRole('link', { name: 'See and manage the people in the company' }).click();
  await admin.getByRole('heading', { name: 'Members', level: 1 }).waitFor();
  const people = admin.getByRole('table', { name: 'People in the company' });
  const morgan = people.getByRole('row', { name: /Morgan Member/ });
  await morgan.waitFor();
  await audit(admin, 'members list');
  await morgan.getByRole('button', { name: 'Change role' }).click();
  await admin.getByLabel('Role', { exact: true }).last().selectOption({ label: 'Company admin' });
  await audit(admin, 'change role');
  await admin.getByRole('button', { name: 'Save role' }).click();
  // Signed in a moment ago is not enough: the password, then the change.
  await admin.getByLabel('Current password').fill(DEMO_PASSWORD);
  await admin.getByRole('button', { name: 'Confirm password' }).click();
  await admin.getByText('Morgan Member is now: Company admin.').waitFor();
  assert.match(await morgan.textContent(), /Company admin/);

  const pat = people.getByRole('row', { name: /Pat Payee/ });
  await pat.getByRole('button', { name: 'Remove from company' }).click();
  const question = admin.getByRole('alertdialog');
  await question.getByText('Remove Pat Payee from the company?', { exact: false }).waitFor();
  await audit(admin, 'remove member question');
  await question.getByRole('button', { name: 'Remove from company' }).click();
  await admin.getByText('Pat Payee was removed from the company.').waitFor();
  await pat.waitFor({ state: 'detached' });
  assert.deepEqual(admin.errors, []);
});

test('an admin imports a CSV file: the preview first, then the invitations', async () => {
  const admin = await newPage(app.browser, app.server.url, { bypassCSP: true });
  await admin.goto('/company/settings');
  await signIn(admin, 'admin@demo.test');
  await admin.getByRole('heading', { name: 'Company Settings', level: 1 }).waitFor();
  const csv = 'email,name,role\nkim@acme.test,Kim Kowalski,member\nnot-an-address,Nobody,member\nlee@acme.test,Lee Lambert,payee\n';
  await admin.getByLabel('Import members').setInputFiles({ name: 'people.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  const preview = admin.getByRole('table', { name: 'What the file holds' });
  await preview.getByRole('row', { name: /kim@acme\.test.*Will invite/ }).waitFor();
  await preview.getByRole('row', { name: /not-an-address.*Not a valid email address/ }).waitFor();
  await preview.getByRole('row', { name: /lee@acme\.test.*Will invite/ }).waitFor();
  await audit(admin, 'import preview');
  await admin.getByRole('button', { name: 'Send 2 invitations' }).click();
  await admin.getByText('Invitations sent: 2.').waitFor();
  await admin.getByText('Kim Kowalski').waitFor();
  await admin.getByText('Lee Lambert').waitFor();
  assert.deepEqual(admin.errors, []);
});

test('the members screens pass axe in French', async () => {
  const context = await app.browser.newContext({ baseURL: app.server.url, bypassCSP: true, locale: 'fr-FR' });
  const page = await context.newPage();
  await page.goto('/company/settings');
  await page.locator('html[lang="fr"]').waitFor();
  await page.locator('#email').fill('admin@demo.test');
  await page.locator('#password').fill(DEMO_PASSWORD);
  await page.locator('button[type=submit]').click();
  await page.getByRole('heading', { name: 'Membres', level: 2 }).waitFor();
  await page.getByRole('button', { name: 'Inviter un membre' }).click();
  await page.getByLabel('Rôle').waitFor();
  await page.getByLabel('Importer des membres').setInputFiles({
    name: 'membres.csv', mimeType: 'text/csv', buffer: Buffer.from('email;name;role\nzoe@acme.test;Zoé Zola;membre\nrien;Personne;membre\n'),
  });
  await page.getByRole('table', { name: 'Ce que contient le fichier' }).getByRole('row', { name: /Adresse e-mail non valide/ }).waitFor();
  await audit(page, 'members section (fr)');
  await page.goto('/company/members');
  await page.getByRole('heading', { name: 'Membres', level: 1 }).waitFor();
  await page.getByRole('table', { name: "Les personnes de l'entreprise" }).getByRole('row').nth(1).waitFor();
  await audit(page, 'members page (fr)');
  await context.close();
});
