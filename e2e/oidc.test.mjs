// Signing in to another app of the company through OpenID Connect, as people
// do it: the admin registers the app in Company Settings, then a small test
// app (a relying party written here, with PKCE) sends people to TwoStep; they
// sign in with their second step (or enroll first, when they must) and land
// back on the app, which exchanges the code for an ID token.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { createHash, randomBytes } from 'node:crypto';
import { DEMO_PASSWORD, audit, enrollAuthenticator, newPage, serverAndBrowser, signIn } from './helpers.mjs';
import { step, totp } from './totp.mjs';

const app = serverAndBrowser();
const rp = { base: '', clientId: '', secret: '', pending: new Map() };

const b64url = (buf) => buf.toString('base64url');

// The relying party: /login starts a sign-in, /callback finishes it.
const server = http.createServer(async (req, res) => {
  const url = new URL(req.url, rp.base);
  if (url.pathname === '/login') {
    const verifier = b64url(randomBytes(32));
    const state = b64url(randomBytes(16));
    const nonce = b64url(randomBytes(16));
    rp.pending.set(state, { verifier, nonce });
    const params = new URLSearchParams({
      response_type: 'code',
      client_id: rp.clientId,
      redirect_uri: `${rp.base}/callback`,
      scope: 'openid email profile',
      state,
      nonce,
      code_challenge: b64url(createHash('sha256').update(verifier).digest()),
      code_challenge_method: 'S256',
    });
    res.writeHead(302, { location: `${app.server.url}/oidc/authorize?${params}` });
    return res.end();
  }
  if (url.pathname === '/callback') {
    const started = rp.pending.get(url.searchParams.get('state'));
    if (!started || !url.searchParams.get('code')) {
      res.writeHead(400, { 'content-type': 'text/html' });
      return res.end(`<h1>Sign-in failed: ${url.searchParams.get('error')}</h1>`);
    }
    const answer = await fetch(`${app.server.url}/oidc/token`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${rp.clientId}:${rp.secret}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: url.searchParams.get('code'),
        redirect_uri: `${rp.base}/callback`,
        code_verifier: started.verifier,
      }),
    });
    const tokens = await answer.json();
    const claims = JSON.parse(Buffer.from(tokens.id_token.split('.')[1], 'base64url').toString());
    assert.equal(claims.nonce, started.nonce);
    res.writeHead(200, { 'content-type': 'text/html' });
    return res.end(`<!doctype html><title>Wiki</title><h1>Signed in to Wiki as ${claims.email}</h1><p id="amr">${claims.amr.join(' ')}</p>`);
  }
  res.writeHead(404);
  res.end();
});

before(async () => {
  await new Promise((done) => server.listen(0, '127.0.0.1', done));
  rp.base = `http://127.0.0.1:${server.address().port}`;
});
after(() => server.close());

/** A code whose time step has not been used yet. */
function freshCode(key, used) {
  const now = Date.now() / 1000;
  const t = used.has(step(now)) ? now + 30 : now;
  used.add(step(t));
  return totp(key, t);
}


test('the admin adds an app; its client ID and secret are shown once', async () => {
  const page = await newPage(app.browser, app.server.url, { bypassCSP: true });
  await page.goto('/company/settings');
  await signIn(page, 'admin@demo.test');
  await page.waitForURL('**/company/settings');
  await page.getByRole('heading', { name: 'Apps' }).waitFor();
  await page.getByText('No apps yet.').waitFor();
  await page.getByRole('button', { name: 'Add app' }).click();
  await page.getByLabel('Name', { exact: true }).fill('Wiki');
  await page.getByLabel('Redirect URIs').fill(`${rp.base}/callback`);
  await page.getByLabel('Web app with a secret').check();
  await audit(page, 'Company Settings, adding an app');
  await page.getByRole('button', { name: 'Save app' }).click();
  // Changes need the password confirmed.
  await page.getByLabel('Current password').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Confirm password' }).click();
  const id = page.getByLabel('Client ID', { exact: true });
  await id.waitFor();
  rp.clientId = await id.inputValue();
  rp.secret = await page.getByLabel('Client secret', { exact: true }).inputValue();
  assert.match(rp.clientId, /^app-[0-9a-f]{32}$/);
  assert.match(rp.secret, /^[0-9a-f]{64}$/);
  assert.equal(await id.getAttribute('readonly'), '');
  await page.getByRole('button', { name: 'Copy the secret' }).waitFor();
  await page.getByRole('heading', { name: 'Wiki', exact: true }).waitFor();
  await page.getByRole('button', { name: 'Rotate secret' }).waitFor();
  await page.getByRole('button', { name: 'Delete app' }).waitFor();
  await audit(page, 'Company Settings, an app added');
  // Shown once: not after a reload.
  await page.reload();
  await page.getByRole('heading', { name: 'Wiki', exact: true }).waitFor();
  assert.equal(await page.getByLabel('Client secret', { exact: true }).count(), 0);
  assert.deepEqual(page.errors, []);
});

test('a member signs in to the app with their authenticator', async () => {
  assert.ok(rp.clientId, 'the app was added');
  const used = new Set();
  const setup = await newPage(app.browser, app.server.url);
  await setup.goto('/profile/security');
  await signIn(setup, 'member@demo.test');
  const key = await enrollAuthenticator(setup);
  used.add(step());
  await setup.context().close();

  const page = await newPage(app.browser, app.server.url, { bypassCSP: true });
  await page.goto(`${rp.base}/login`);
  await page.getByRole('heading', { name: 'Sign in to continue to Wiki' }).waitFor();
  assert.equal(new URL(page.url()).pathname, '/authorize');
  await audit(page, 'Sign in to continue to an app');
  await signIn(page, 'member@demo.test');
  await page.getByRole('heading', { name: 'Two-step verification' }).waitFor();
  await page.getByLabel('6-digit code').fill(freshCode(key, used));
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('heading', { name: 'Signed in to Wiki as member@demo.test' }).waitFor();
  assert.equal(await page.locator('#amr').textContent(), 'pwd otp mfa');

  // Signed in already: straight back to the app.
  await page.goto(`${rp.base}/login`);
  await page.getByRole('heading', { name: 'Signed in to Wiki as member@demo.test' }).waitFor();
});

test('someone who must enroll first does so, then continues to the app', async () => {
  const page = await newPage(app.browser, app.server.url);
  await page.goto(`${rp.base}/login`);
  await page.getByRole('heading', { name: 'Sign in to continue to Wiki' }).waitFor();
  await signIn(page, 'payee@demo.test');
  await page.waitForURL('**/profile/security');
  await page.getByRole('heading', { name: 'Two-factor authentication is required' }).waitFor();
  await enrollAuthenticator(page);
  await page.getByRole('heading', { name: 'Signed in to Wiki as payee@demo.test' }).waitFor();
  assert.equal(await page.locator('#amr').textContent(), 'pwd otp mfa');
  assert.deepEqual(page.errors, []);
});

test('a link the app did not register is refused on a page that says so', async () => {
  const page = await newPage(app.browser, app.server.url, { bypassCSP: true });
  const params = new URLSearchParams({
    response_type: 'code',
    client_id: rp.clientId,
    redirect_uri: 'https://evil.example.com/callback',
    scope: 'openid',
    code_challenge: b64url(createHash('sha256').update('x'.repeat(43)).digest()),
    code_challenge_method: 'S256',
  });
  await page.goto(`/oidc/authorize?${params}`);
  await page.getByRole('heading', { name: "This sign-in link doesn't work" }).waitFor();
  assert.equal(new URL(page.url()).host, new URL(app.server.url).host);
  await audit(page, 'an app link that does not work');
  assert.deepEqual(page.errors, []);
});
