// The app is split by route: the sign-in page and the Password & Security
// tab come with the main module, and every other page's code is fetched when
// that page is first opened, by a click or by its address.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newPage, serverAndBrowser, signIn } from './helpers.mjs';

const app = serverAndBrowser();

/** The wasm files the page fetched, by the route they hold (the loader names them). */
function wasmFetched(page) {
  const seen = [];
  page.on('request', (r) => {
    const file = new URL(r.url()).pathname;
    if (file.endsWith('.wasm')) seen.push(file);
  });
  return seen;
}

test('the sign-in page and the tab fetch no other page’s code; a page fetches its own when opened', async () => {
  const page = await newPage(app.browser, app.server.url);
  const fetched = wasmFetched(page);
  await page.goto('/sign-in');
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  await page.waitForLoadState('networkidle');
  assert.equal(fetched.length, 1, `only the main module: ${fetched}`);
  assert.match(fetched[0], /^\/mfa-app-[0-9a-f]{16}_bg\.wasm$/);

  await signIn(page, 'admin@demo.test');
  await page.getByRole('heading', { name: 'Welcome, Alex' }).waitFor();
  await page.goto('/profile/security');
  await page.getByRole('heading', { name: 'Two-Factor Authentication (2FA)' }).waitFor();
  await page.waitForLoadState('networkidle');
  const routeChunks = () => fetched.filter((f) => f.includes('_route_view_'));
  assert.deepEqual(routeChunks(), [], 'the tab is in the main module');

  // By a click: Company Settings.
  await page.getByRole('button', { name: 'Account & Profile' }).click();
  await page.getByRole('menuitem', { name: 'Company Settings' }).click();
  await page.getByRole('heading', { name: 'Company Settings', level: 1 }).waitFor();
  assert.ok(routeChunks().some((f) => f.includes('company_settings_route_view')), `${routeChunks()}`);
  assert.ok(!routeChunks().some((f) => f.includes('help_route_view')));

  // By its address: the help article, in a fresh page.
  const other = await newPage(app.browser, app.server.url);
  const otherFetched = wasmFetched(other);
  await other.goto('/help/mfa');
  await other.getByRole('heading', { level: 1 }).waitFor();
  assert.ok(otherFetched.some((f) => f.includes('help_route_view')), `${otherFetched}`);
  assert.ok(!otherFetched.some((f) => f.includes('company_settings_route_view')));
  assert.deepEqual(page.errors, []);
  assert.deepEqual(other.errors, []);
});
