// Passkeys in a real Chromium with its virtual authenticator (DevTools
// protocol: ctap2, internal transport, resident keys, user verification),
// on http://localhost (browsers refuse an IP address as relying party):
// add one, sign in with it and no email typed, use it at the second step,
// refuse it when the device cannot verify the person, rename and remove it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { audit, enrollAuthenticator, newPage, serverAndBrowser, signIn } from './helpers.mjs';
import { totp } from './totp.mjs';

const app = serverAndBrowser();
const OFFER = 'Sign in faster and more safely with a passkey';
const localhost = () => app.server.url.replace('127.0.0.1', 'localhost');

async function virtualAuthenticator(page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable', { enableUI: false });
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  const verified = (isUserVerified) => cdp.send('WebAuthn.setUserVerified', { authenticatorId, isUserVerified });
  const credentials = async () => (await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials;
  return { verified, credentials };
}

async function signOut(page) {
  await page.getByRole('button', { name: 'Account & Profile' }).click();
  await page.getByRole('menuitem', { name: 'Sign out' }).click();
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
}

test('add a passkey, sign in with it and no email, use it at the second step, then remove it', async () => {
  const page = await newPage(app.browser, localhost(), { bypassCSP: true });
  const authenticator = await virtualAuthenticator(page);
  await page.goto('/');
  await signIn(page, 'member@demo.test');
  await page.getByRole('heading', { name: 'Welcome, Morgan' }).waitFor();
  await page.goto('/profile/security');
  // A device that cannot verify the person: the browser refuses, the page
  // says why and offers to try again.
  await authenticator.verified(false);
  await page.getByRole('button', { name: 'Add a passkey' }).click();
  await page.getByRole('heading', { name: 'Confirm your password' }).waitFor();
  await page.getByLabel('Current password').fill('e2e-demo-password');
  await page.getByRole('button', { name: 'Confirm password' }).click();
  await page.getByRole('alert').filter({ hasText: 'passkey was not used' }).waitFor();
  await audit(page, 'add a passkey, refused');
  await authenticator.verified(true);
  await page.getByRole('button', { name: 'Create a passkey' }).click();
  await page.getByRole('heading', { name: 'Passkey added' }).waitFor();
  const name = page.getByLabel('Name this passkey');
  assert.equal(await name.inputValue(), 'Chrome on Linux');
  assert.equal((await authenticator.credentials()).length, 1, 'a discoverable credential on the device');
  await audit(page, 'name this passkey');
  await name.fill('Work laptop');
  await page.getByRole('button', { name: 'Save' }).click();
  // The first factor brings the recovery code.
  await page.getByLabel('I have saved my recovery code').check();
  await page.getByRole('button', { name: 'Finish' }).click();
  await page.waitForURL('**/profile/security');
  await page.getByText('Work laptop').waitFor();
  await page.getByRole('button', { name: 'Rename passkey Work laptop' }).waitFor();
  await audit(page, 'the tab with a passkey');

  // "Sign in with a passkey": no email typed.
  await signOut(page);
  await audit(page, 'sign-in with the passkey button');
  await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
  await page.getByRole('heading', { name: 'Welcome, Morgan' }).waitFor();
  assert.equal(await page.getByLabel('Email').count(), 0);

  // The passkey as the second step of a password sign-in.
  await signOut(page);
  await signIn(page, 'member@demo.test');
  await page.getByText('Finish signing in with your passkey').waitFor();
  await audit(page, 'second step with a passkey');
  await page.getByRole('button', { name: 'Use a passkey' }).click();
  await page.getByRole('heading', { name: 'Welcome, Morgan' }).waitFor();

  // A device that cannot verify the person: refused, said in an alert.
  await signOut(page);
  await authenticator.verified(false);
  await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
  await page.getByRole('alert').filter({ hasText: 'passkey' }).waitFor();
  assert.equal(await page.getByRole('heading', { name: 'Sign in' }).count(), 1);
  await authenticator.verified(true);
  await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
  await page.getByRole('heading', { name: 'Welcome, Morgan' }).waitFor();

  // Rename it, then remove it.
  await page.goto('/profile/security');
  await page.getByRole('button', { name: 'Rename passkey Work laptop' }).click();
  await page.getByLabel('Name this passkey').fill('Old laptop');
  await page.getByRole('button', { name: 'Save' }).click();
  await page.waitForURL('**/profile/security');
  await page.getByRole('button', { name: 'Remove passkey Old laptop' }).click();
  await page.getByRole('alertdialog').getByRole('button', { name: 'Remove' }).click();
  // The question's password form (the tab's own "Change password" form,
  // which also has a "Current password" field, steps aside for it).
  await page.getByRole('heading', { name: 'Confirm your password' }).waitFor();
  await page.getByLabel('Current password').fill('e2e-demo-password');
  await page.getByRole('button', { name: 'Confirm password' }).click();
  await page.getByText('Two-factor authentication is not set up.').waitFor();
  assert.equal(await page.getByText('Old laptop').count(), 0);
  assert.deepEqual(page.errors, []);
});

test('adding a passkey reads well in French', async () => {
  const page = await newPage(app.browser, localhost(), { bypassCSP: true });
  await virtualAuthenticator(page);
  await page.goto('/');
  await page.getByRole('button', { name: 'Français' }).click();
  await page.getByRole('button', { name: "Se connecter avec une clé d'accès" }).waitFor();
  await audit(page, 'sign-in (fr)');
  await page.getByLabel('Adresse e-mail').fill('admin@demo.test');
  await page.getByLabel('Mot de passe').fill('e2e-demo-password');
  await page.getByRole('button', { name: 'Se connecter', exact: true }).click();
  await page.getByRole('heading', { name: 'Bienvenue, Alex' }).waitFor();
  await page.goto('/profile/security');
  await page.getByRole('button', { name: "Ajouter une clé d'accès" }).click();
  await page.getByRole('heading', { name: 'Confirmez votre mot de passe' }).waitFor();
  await page.getByLabel('Mot de passe actuel').fill('e2e-demo-password');
  await page.getByRole('button', { name: 'Confirmer le mot de passe' }).click();
  await page.getByRole('heading', { name: "Clé d'accès ajoutée" }).waitFor();
  assert.equal(await page.getByLabel("Nommez cette clé d'accès").inputValue(), 'Chrome sous Linux');
  await audit(page, 'name this passkey (fr)');
  await page.getByRole('button', { name: 'Enregistrer' }).click();
  await page.getByLabel("J'ai enregistré mon code de récupération").check();
  await page.getByRole('button', { name: 'Terminer' }).click();
  await page.getByRole('button', { name: "Renommer la clé d'accès Chrome sous Linux" }).waitFor();
  await audit(page, 'the tab with a passkey (fr)');
  // The second step with a passkey, in French.
  await page.getByRole('button', { name: 'Compte et profil' }).click();
  await page.getByRole('menuitem', { name: 'Se déconnecter' }).click();
  await page.getByLabel('Adresse e-mail').fill('admin@demo.test');
  await page.getByLabel('Mot de passe').fill('e2e-demo-password');
  await page.getByRole('button', { name: 'Se connecter', exact: true }).click();
  await page.getByRole('button', { name: "Utiliser une clé d'accès" }).waitFor();
  await audit(page, 'second step with a passkey (fr)');
  await page.getByRole('button', { name: "Utiliser une clé d'accès" }).click();
  await page.getByRole('heading', { name: 'Bienvenue, Alex' }).waitFor();
  assert.deepEqual(page.errors, []);
});

test('after a password and a code, a passkey is offered on the page; "Not now" hides it', async () => {
  const page = await newPage(app.browser, localhost(), { bypassCSP: true });
  await virtualAuthenticator(page);
  await page.goto('/');
  await signIn(page, 'payee@demo.test');
  await page.waitForURL('**/profile/security');
  // Never while someone must enroll.
  assert.equal(await page.getByText(OFFER).count(), 0);
  const key = await enrollAuthenticator(page);
  await page.waitForURL('**/profile/security');
  await signOut(page);
  await signIn(page, 'payee@demo.test');
  // The next time step's code: the one used to enroll cannot serve twice.
  await page.getByLabel('6-digit code').fill(totp(key, Date.now() / 1000 + 30));
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('heading', { name: 'Welcome, Pat' }).waitFor();
  const offer = page.getByRole('region', { name: OFFER });
  await offer.waitFor();
  await audit(page, 'the passkey offer');
  await page.getByRole('button', { name: 'Français' }).click();
  await page.getByRole('region', { name: "Connectez-vous plus vite et plus sûrement avec une clé d'accès" }).waitFor();
  await audit(page, 'the passkey offer (fr)');
  await page.getByRole('button', { name: 'English' }).click();
  await offer.getByRole('button', { name: 'Not now' }).click();
  await offer.waitFor({ state: 'detached' });
  await page.reload();
  await page.getByRole('heading', { name: 'Welcome, Pat' }).waitFor();
  assert.equal(await page.getByText(OFFER).count(), 0, 'hidden for 30 days');
  assert.deepEqual(page.errors, []);
});

test('the offer leads to adding a passkey, then is gone', async () => {
  const page = await newPage(app.browser, localhost());
  await virtualAuthenticator(page);
  await page.goto('/');
  await signIn(page, 'member@demo.test');
  await page.getByRole('heading', { name: 'Welcome, Morgan' }).waitFor();
  await page.goto('/profile/security');
  const key = await enrollAuthenticator(page);
  await page.waitForURL('**/profile/security');
  await signOut(page);
  await signIn(page, 'member@demo.test');
  await page.getByLabel('6-digit code').fill(totp(key, Date.now() / 1000 + 30));
  await page.getByRole('button', { name: 'Continue' }).click();
  const offer = page.getByRole('region', { name: OFFER });
  await offer.getByRole('button', { name: 'Add a passkey' }).click();
  await page.getByRole('heading', { name: 'Confirm your password' }).waitFor();
  await page.getByLabel('Current password').fill('e2e-demo-password');
  await page.getByRole('button', { name: 'Confirm password' }).click();
  await page.getByRole('heading', { name: 'Passkey added' }).waitFor();
  await page.getByRole('button', { name: 'Save' }).click();
  await page.waitForURL('**/profile/security');
  await page.goto('/');
  await page.getByRole('heading', { name: 'Welcome, Morgan' }).waitFor();
  assert.equal(await page.getByText(OFFER).count(), 0);
  assert.deepEqual(page.errors, []);
});
