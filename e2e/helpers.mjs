// Shared by the end-to-end tests: start the real server on a free port with a
// fresh data dir, and a headless Debian Chromium driven by playwright-core.
import { before, after } from 'node:test';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { totp } from './totp.mjs';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const targetDir = process.env.CARGO_TARGET_DIR ?? path.join(root, 'target');
export const serverBin = process.env.SERVER_BIN ?? path.join(targetDir, 'debug', 'mfa-server');
export const DEMO_PASSWORD = 'e2e-demo-password';

/**
 * Starts mfa-server; resolves with { url, pid, stdout, stop, dataDir }.
 * `dataDir` reuses an earlier server's data (that server stopped first).
 */
export function startServer(env = {}, { dataDir = mkdtempSync(path.join(tmpdir(), 'mfa-e2e-data-')), keepData = false } = {}) {
  const fullEnv = {
      ...process.env,
      MFA_BIND: '127.0.0.1:0',
      MFA_DATA_DIR: dataDir,
      MFA_DIST_DIR: path.join(root, 'dist'),
      MFA_DEMO: '1',
      MFA_DEMO_PASSWORD: DEMO_PASSWORD,
      RUST_LOG: 'warn',
      ...env,
  };
  // `{ NAME: undefined }` unsets NAME.
  for (const [k, v] of Object.entries(fullEnv)) if (v === undefined) delete fullEnv[k];
  const child = spawn(serverBin, [], {
    env: fullEnv,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let stdout = '';
  const exited = new Promise((done) => child.on('exit', done));
  const stop = async () => {
    child.kill('SIGTERM');
    await exited;
    if (!keepData) rmSync(dataDir, { recursive: true, force: true });
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start; stdout: ${stdout}`)), 30000);
    child.on('error', reject);
    child.on('exit', (code) => reject(new Error(`server exited with ${code}; stdout: ${stdout}`)));
    child.stdout.on('data', (chunk) => {
      stdout += chunk.toString();
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout);
      if (m) {
        clearTimeout(timer);
        resolve({ url: m[1], pid: child.pid, stdout: () => stdout, stop, dataDir });
      }
    });
  });
}

export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/**
 * Registers before/after hooks for a test file: one server (fresh data dir)
 * and one browser. Returns an object whose `server` and `browser` are set
 * once the hooks have run.
 */
export function serverAndBrowser(env = {}) {
  const shared = {};
  before(async () => {
    shared.server = await startServer(env);
    shared.browser = await launchBrowser();
  });
  after(async () => {
    await shared.browser?.close();
    await shared.server?.stop();
  });
  return shared;
}

const axePath = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/**
 * Checks the page with axe-core (WCAG 2.1 A and AA rules) and that it has one
 * h1. The page's context must bypass the CSP (to inject axe).
 */
export async function audit(page, screen) {
  await page.addScriptTag({ path: axePath });
  const result = await page.evaluate(() =>
    window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } }),
  );
  const problems = result.violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  assert.deepEqual(problems, [], `${screen}: accessibility violations`);
  assert.equal(await page.locator('h1').count(), 1, `${screen}: one h1`);
}

/**
 * A fresh page in its own context (its own cookies), failing on any page
 * error. `bypassCSP` lets `audit` inject axe.
 */
export async function newPage(browser, baseURL, { bypassCSP = false } = {}) {
  const context = await browser.newContext({ baseURL, acceptDownloads: true, locale: 'en-US', bypassCSP });
  const page = await context.newPage();
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(e.message));
  // A blocked script or style shows up only on the console.
  page.on('console', (msg) => {
    if (msg.type() === 'error' && /Content Security Policy/i.test(msg.text())) page.errors.push(msg.text());
  });
  return page;
}

export async function signIn(page, email, password = DEMO_PASSWORD) {
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

/**
 * From the Password & Security tab: "Add Authenticator App", the password,
 * the key read off the page and a code from it, the recovery code saved.
 * Returns the key (base32).
 */
export async function enrollAuthenticator(page, password = DEMO_PASSWORD) {
  await page.getByRole('button', { name: 'Add Authenticator App' }).click();
  await page.getByLabel('Current password').fill(password);
  await page.getByRole('button', { name: 'Confirm password' }).click();
  await page.getByRole('heading', { name: 'Secure your Account' }).waitFor();
  const key = (await page.locator('#setup-key').textContent()).replace(/\s/g, '');
  await page.getByLabel('6-digit code').fill(totp(key));
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByLabel('I have saved my recovery code').check();
  await page.getByRole('button', { name: 'Finish' }).click();
  return key;
}
