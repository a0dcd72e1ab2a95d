// Password hashing under load keeps memory bounded: 20 clients re-authenticate
// without pause for 10 s; the server's resident memory (VmRSS) is sampled
// before, during and for 10 s after. argon2 runs one hash per core, in
// working memory allocated once, so the peak stays low and nothing is kept.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { DEMO_PASSWORD, startServer } from './helpers.mjs';

const MiB = 1024 * 1024;
const rss = (pid) => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) * 1024;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

test('twenty clients re-authenticating for ten seconds keep memory bounded', async () => {
  const server = await startServer();
  try {
    const post = (path, body, cookie) => fetch(server.url + path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-mfa-csrf': '1', ...(cookie ? { cookie } : {}) },
      body: JSON.stringify(body),
    });
    const sessionCookie = (reply) =>
      reply.headers.getSetCookie().map((c) => c.split(';')[0]).find((c) => c.startsWith('mfa_session='));
    // A session per client; each re-authentication gives it a new id, which
    // the client keeps, as a browser would.
    const cookies = [];
    for (let i = 0; i < 20; i++) {
      const signIn = await post('/api/sign-in', { email: 'member@demo.test', password: DEMO_PASSWORD });
      assert.equal(signIn.status, 200);
      cookies.push(sessionCookie(signIn));
    }
    await sleep(1000);
    const idle = rss(server.pid);

    let peak = idle;
    let done = 0;
    const statuses = new Map();
    const until = Date.now() + 10_000;
    const sampler = setInterval(() => { peak = Math.max(peak, rss(server.pid)); }, 100);
    await Promise.all(cookies.map(async (first) => {
      let cookie = first;
      while (Date.now() < until) {
        const reply = await post('/api/reauth', { password: DEMO_PASSWORD }, cookie);
        cookie = sessionCookie(reply) ?? cookie;
        await reply.arrayBuffer();
        statuses.set(reply.status, (statuses.get(reply.status) ?? 0) + 1);
        done += 1;
      }
    }));
    clearInterval(sampler);
    const atEnd = rss(server.pid);
    await sleep(10_000);
    const after = rss(server.pid);

    const mib = (n) => (n / MiB).toFixed(1);
    console.log(`# memory: idle ${mib(idle)} MiB, peak ${mib(peak)} MiB, at end of load ${mib(atEnd)} MiB, 10 s later ${mib(after)} MiB; ${done} re-authentications in 10 s, statuses ${JSON.stringify(Object.fromEntries(statuses))}`);
    assert.ok(peak < 300 * MiB, `peak ${mib(peak)} MiB`);
    assert.ok(after <= 2 * idle, `10 s after: ${mib(after)} MiB vs idle ${mib(idle)} MiB`);
    assert.ok((statuses.get(204) ?? 0) > 0, 'some succeeded');
    // (429: with this many claims in flight at once for one user, the
    // attempt limit counts them before the answers give them back.)
    for (const status of statuses.keys()) assert.ok([204, 429, 503].includes(status), `status ${status}`);
  } finally {
    server.stop();
  }
});
