// An app behind a real nginx (Debian's package) that asks TwoStep who may
// in (auth_request): signed out, a person is sent to sign in, does so with
// their second step, and lands on the app with Remote-User set; a header
// forged by the browser never reaches the app; a return address on another
// domain is not followed. nginx runs from a temporary directory on a free
// loopback port, in front of a tiny upstream written here.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { enrollAuthenticator, launchBrowser, newPage, signIn, startServer } from './helpers.mjs';
import { step, totp } from './totp.mjs';

const shared = {};

// The protected app: says who nginx says is there.
const upstream = http.createServer((req, res) => {
  res.writeHead(200, { 'content-type': 'text/html' });
  const who = req.headers['remote-user'] ?? 'nobody';
  res.end(`<!doctype html><title>Intranet</title><h1>hello ${who}</h1><p id="groups">${req.headers['remote-groups'] ?? ''}</p>`);
});

function freePort() {
  return new Promise((done) => {
    const probe = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => done(port));
    });
  });
}

function nginxConfig(dir, port, upstreamPort, productPort) {
  return `
daemon off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 64; }
http {
  access_log ${dir}/access.log;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  server {
    listen 127.0.0.1:${port};
    location / {
      auth_request /_twostep;
      auth_request_set $twostep_user $upstream_http_remote_user;
      auth_request_set $twostep_email $upstream_http_remote_email;
      auth_request_set $twostep_name $upstream_http_remote_name;
      auth_request_set $twostep_groups $upstream_http_remote_groups;
      auth_request_set $twostep_sign_in $upstream_http_location;
      proxy_set_header Remote-User $twostep_user;
      proxy_set_header Remote-Email $twostep_email;
      proxy_set_header Remote-Name $twostep_name;
      proxy_set_header Remote-Groups $twostep_groups;
      error_page 401 =302 $twostep_sign_in;
      proxy_pass http://127.0.0.1:${upstreamPort};
    }
    location = /_twostep {
      internal;
      proxy_pass http://127.0.0.1:${productPort}/api/authz/auth-request;
      proxy_pass_request_body off;
      proxy_set_header Content-Length "";
      proxy_set_header X-Original-URL $scheme://$http_host$request_uri;
    }
  }
}
`;
}

const nginxBin = ['/usr/sbin/nginx', '/usr/bin/nginx'].find(existsSync) ?? 'nginx';

before(async () => {
  shared.server = await startServer({
    MFA_TRUSTED_PROXIES: '127.0.0.1',
    MFA_FORWARD_AUTH_DOMAINS: '127.0.0.1',
  });
  await new Promise((done) => upstream.listen(0, '127.0.0.1', done));
  const dir = mkdtempSync(path.join(tmpdir(), 'mfa-e2e-nginx-'));
  for (const sub of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(path.join(dir, sub));
  const port = await freePort();
  const conf = path.join(dir, 'nginx.conf');
  writeFileSync(conf, nginxConfig(dir, port, upstream.address().port, new URL(shared.server.url).port));
  const nginx = spawn(nginxBin, ['-p', dir, '-c', conf, '-e', path.join(dir, 'error.log')], { stdio: 'inherit' });
  shared.nginx = { process: nginx, dir, url: `http://127.0.0.1:${port}` };
  // Ready when it answers.
  for (let i = 0; ; i++) {
    try {
      await fetch(shared.nginx.url, { redirect: 'manual' });
      break;
    } catch (e) {
      if (i > 100) throw new Error(`nginx did not start: ${readFileSync(path.join(dir, 'error.log'), 'utf8')}`);
      await new Promise((done) => setTimeout(done, 50));
    }
  }
  shared.browser = await launchBrowser();
});

after(async () => {
  await shared.browser?.close();
  if (shared.nginx) {
    const exited = new Promise((done) => shared.nginx.process.on('exit', done));
    shared.nginx.process.kill('SIGTERM');
    await exited;
    rmSync(shared.nginx.dir, { recursive: true, force: true });
  }
  upstream.close();
  await shared.server?.stop();
});

test('a page behind nginx opens only after signing in with the second step', async () => {
  // The member sets up an authenticator app first.
  const setup = await newPage(shared.browser, shared.server.url);
  await setup.goto('/profile/security');
  await signIn(setup, 'member@demo.test');
  const key = await enrollAuthenticator(setup);
  const enrolledAt = step();
  await setup.context().close();

  // Signed out: the proxy sends the browser to sign in, remembering the page.
  const page = await newPage(shared.browser, shared.server.url);
  const wanted = `${shared.nginx.url}/reports/weekly?team=site`;
  await page.goto(wanted);
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  const signInUrl = new URL(page.url());
  assert.equal(signInUrl.origin, shared.server.url);
  assert.equal(signInUrl.searchParams.get('rd'), wanted);
  await signIn(page, 'member@demo.test');
  await page.getByRole('heading', { name: 'Two-step verification' }).waitFor();
  const now = Date.now() / 1000;
  await page.getByLabel('6-digit code').fill(totp(key, step(now) === enrolledAt ? now + 30 : now));
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('heading', { name: 'hello member@demo.test' }).waitFor();
  assert.equal(page.url(), wanted);
  assert.match(await page.locator('#groups').textContent(), /:member$/);

  // A Remote-User the browser makes up never reaches the app.
  await page.setExtraHTTPHeaders({ 'Remote-User': 'admin@demo.test' });
  await page.goto(`${shared.nginx.url}/`);
  await page.getByRole('heading', { name: 'hello member@demo.test' }).waitFor();
  const stranger = await newPage(shared.browser, shared.server.url);
  await stranger.setExtraHTTPHeaders({ 'Remote-User': 'admin@demo.test' });
  await stranger.goto(`${shared.nginx.url}/`);
  await stranger.getByRole('heading', { name: 'Sign in' }).waitFor();
  assert.equal(await stranger.getByText('hello').count(), 0);

  // A return address on another domain is not followed: home instead.
  await page.setExtraHTTPHeaders({});
  await page.goto(`/sign-in?rd=${encodeURIComponent('https://evil.example.com/')}`);
  await page.getByRole('heading', { name: 'Welcome, Morgan' }).waitFor();
  assert.equal(new URL(page.url()).origin, shared.server.url);

  // Signed out of TwoStep: the proxy asks again.
  await page.getByRole('button', { name: 'Account & Profile' }).click();
  await page.getByRole('menuitem', { name: 'Sign out' }).click();
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  await page.goto(wanted);
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  assert.equal(new URL(page.url()).origin, shared.server.url);
  assert.deepEqual(page.errors, []);
});
