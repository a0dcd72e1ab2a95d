// Page weight and load time for scripts/bench.sh (not a test: it prints
// numbers). Usage: node bench-page-load.mjs <base url> <email> <password> <loads>
// Prints one JSON object on stdout.
//
// Bytes are what Chromium received on the wire for each response (headers
// and the encoded body, as served: brotli here), from the DevTools protocol.

import { launchBrowser } from './helpers.mjs';

const [base, email, password, loadsArg] = process.argv.slice(2);
const loads = Number(loadsArg ?? 10);
const MARK = 'mfa:security-data';

const browser = await launchBrowser();

function kindOf(url, type) {
  const path = new URL(url).pathname;
  if (path.startsWith('/api/')) return 'api';
  if (path.endsWith('.wasm')) return 'wasm';
  if (path.endsWith('.js')) return 'js';
  if (path.endsWith('.css')) return 'css';
  if (type === 'Document') return 'html';
  return 'other';
}

/// Navigates `page` to `path` and sums the bytes of every response until
/// the network is idle.
async function visit(page, path, waitForMark) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  const kinds = new Map();
  const bytes = {};
  const requests = {};
  cdp.on('Network.responseReceived', (e) => kinds.set(e.requestId, kindOf(e.response.url, e.type)));
  cdp.on('Network.loadingFinished', (e) => {
    const kind = kinds.get(e.requestId) ?? 'other';
    bytes[kind] = (bytes[kind] ?? 0) + e.encodedDataLength;
    requests[kind] = (requests[kind] ?? 0) + 1;
  });
  await page.goto(base + path, { waitUntil: 'networkidle' });
  if (waitForMark) {
    await page.waitForFunction((m) => performance.getEntriesByName(m).length > 0, MARK);
  }
  await cdp.detach();
  const total = Object.values(bytes).reduce((a, b) => a + b, 0);
  return { total, bytes, requests };
}

async function signedInContext() {
  const context = await browser.newContext();
  const answer = await context.request.post(base + '/api/sign-in', {
    data: { email, password },
    headers: { 'x-mfa-csrf': '1' },
  });
  if (!answer.ok()) throw new Error(`sign-in: ${answer.status()} ${await answer.text()}`);
  return context;
}

const result = { pages: {}, data_shown_ms: [] };

for (const [name, path, signedIn] of [
  ['sign-in', '/sign-in', false],
  ['/profile/security', '/profile/security', true],
  ['/help/mfa', '/help/mfa', false],
]) {
  const context = signedIn ? await signedInContext() : await browser.newContext();
  const page = await context.newPage();
  const first = await visit(page, path, signedIn);
  const repeat = await visit(page, path, signedIn);
  result.pages[name] = { first, repeat };
  await context.close();
}

for (let i = 0; i < loads; i++) {
  const context = await signedInContext();
  const page = await context.newPage();
  await page.goto(base + '/profile/security');
  const ms = await page.waitForFunction(
    (m) => performance.getEntriesByName(m)[0]?.startTime,
    MARK,
  );
  result.data_shown_ms.push(await ms.jsonValue());
  await context.close();
}

await browser.close();
console.log(JSON.stringify(result));
