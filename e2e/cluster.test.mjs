// Two instances on one PostgreSQL behind nginx (scripts/cluster.sh): the
// guarantees hold across instances. Requests go alternately to each
// instance directly (as the proxy would send them) and through nginx.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import http from 'node:http';
import path from 'node:path';
import { root } from './helpers.mjs';
import { totp } from './totp.mjs';

const PASSWORD = 'cluster-demo-password';
const cluster = {};
const script = path.join(root, 'scripts', 'cluster.sh');
const env = { ...process.env, MFA_CLUSTER_DIR: mkdtempSync(path.join(tmpdir(), 'mfa-cluster-')), MFA_DEMO_PASSWORD: PASSWORD };

before(() => {
  const out = execFileSync(script, ['up'], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  for (const line of out.split('\n')) {
    const m = /^(MFA_CLUSTER_\w+)=(.*)$/.exec(line);
    if (m) cluster[m[1]] = m[2];
  }
});
after(() => {
  execFileSync(script, ['down'], { env, stdio: 'inherit' });
});

/**
 * A browser-like client: keeps its session cookie, and sends each request
 * to `target` ('a', 'b' or 'proxy') with the public Host, as nginx does.
 */
function client() {
  let cookie = '';
  return async function call(target, method, route, body) {
    const base = { a: cluster.MFA_CLUSTER_A, b: cluster.MFA_CLUSTER_B, proxy: cluster.MFA_CLUSTER_URL }[target];
    const url = new URL(route, base);
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const reply = await new Promise((resolve, reject) => {
      const request = http.request(url, {
        method,
        headers: {
          host: new URL(cluster.MFA_CLUSTER_URL).host,
          'x-mfa-csrf': '1',
          ...(payload ? { 'content-type': 'application/json' } : {}),
          ...(cookie ? { cookie } : {}),
        },
      }, (response) => {
        let text = '';
        response.on('data', (chunk) => { text += chunk; });
        response.on('end', () => resolve({ status: response.statusCode, headers: response.headers, text }));
      });
      request.on('error', reject);
      request.end(payload);
    });
    const session = (reply.headers['set-cookie'] ?? []).map((c) => c.split(';')[0]).find((c) => c.startsWith('mfa_session='));
    if (session && !session.endsWith('=')) cookie = session;
    let json = null;
    try { json = reply.text ? JSON.parse(reply.text) : null; } catch { json = reply.text; }
    return { status: reply.status, body: json };
  };
}

/** Morgan enrolls an authenticator through instance A; returns the key. */
let morganKey;
async function morgan() {
  if (morganKey) return morganKey;
  const call = client();
  assert.equal((await call('a', 'POST', '/api/sign-in', { email: 'member@demo.test', password: PASSWORD })).status, 200);
  assert.equal((await call('b', 'POST', '/api/reauth', { password: PASSWORD })).status, 204);
  const started = await call('a', 'POST', '/api/factors/totp', {});
  assert.equal(started.status, 200, JSON.stringify(started.body));
  const done = await call('b', 'POST', '/api/factors/totp/confirm', { code: totp(started.body.secret) });
  assert.equal(done.status, 200, JSON.stringify(done.body));
  morganKey = started.body.secret;
  await waitForNextStep();
  return morganKey;
}

/** Waits for the next 30-second step (a TOTP code works once). */
async function waitForNextStep() {
  const step = Math.floor(Date.now() / 30000);
  while (Math.floor(Date.now() / 30000) === step) await new Promise((done) => setTimeout(done, 250));
}

test('both instances and the proxy answer their health check', async () => {
  const call = client();
  for (const target of ['a', 'b', 'proxy']) {
    const health = await call(target, 'GET', '/api/health');
    assert.equal(health.status, 200);
    assert.equal(health.body.database, 'ok');
  }
});

test('a person signs in through one instance and continues through the other', async () => {
  const key = await morgan();
  const call = client();
  const password = await call('a', 'POST', '/api/sign-in', { email: 'member@demo.test', password: PASSWORD });
  assert.equal(password.body.status, 'second_factor_required');
  const code = await call('b', 'POST', '/api/sign-in/second-factor', { method: 'totp', code: totp(key) });
  assert.equal(code.status, 200, JSON.stringify(code.body));
  assert.equal(code.body.status, 'signed_in');
  for (const target of ['a', 'b', 'proxy']) {
    const me = await call(target, 'GET', '/api/me');
    assert.equal(me.status, 200);
    assert.equal(me.body.user.email, 'member@demo.test');
  }
  assert.equal((await call('proxy', 'POST', '/api/sign-out', {})).status, 204);
  assert.equal((await call('a', 'GET', '/api/me')).status, 401, 'signed out everywhere');
  await waitForNextStep();
});

test('the same code sent to both instances at once signs in once', async () => {
  const key = await morgan();
  const first = client();
  const second = client();
  for (const call of [first, second]) {
    const step = await call('proxy', 'POST', '/api/sign-in', { email: 'member@demo.test', password: PASSWORD });
    assert.equal(step.body.status, 'second_factor_required');
  }
  const code = totp(key);
  const answers = await Promise.all([
    first('a', 'POST', '/api/sign-in/second-factor', { method: 'totp', code }),
    second('b', 'POST', '/api/sign-in/second-factor', { method: 'totp', code }),
  ]);
  const statuses = answers.map((a) => a.status).sort();
  assert.equal(statuses.filter((s) => s === 200).length, 1, JSON.stringify(answers));
  assert.ok(statuses.some((s) => s >= 400 && s < 500), JSON.stringify(answers));
  await waitForNextStep();
});

test('wrong codes spread across both instances lock the check', async () => {
  const call = client();
  // Pat (a payee) with an authenticator, so Morgan stays usable.
  assert.equal((await call('a', 'POST', '/api/sign-in', { email: 'payee@demo.test', password: PASSWORD })).status, 200);
  await call('b', 'POST', '/api/reauth', { password: PASSWORD });
  const started = await call('a', 'POST', '/api/factors/totp', {});
  const key = started.body.secret;
  assert.equal((await call('b', 'POST', '/api/factors/totp/confirm', { code: totp(key) })).status, 200);
  const step = await call('proxy', 'POST', '/api/sign-in', { email: 'payee@demo.test', password: PASSWORD });
  assert.equal(step.body.status, 'second_factor_required');
  const wrong = String((Number(totp(key)) + 500000) % 1000000).padStart(6, '0');
  const seen = [];
  for (let i = 0; i < 10; i++) {
    const answer = await call(i % 2 ? 'b' : 'a', 'POST', '/api/sign-in/second-factor', { method: 'totp', code: wrong });
    seen.push(answer.status);
  }
  const locked = await call('a', 'POST', '/api/sign-in/second-factor', { method: 'totp', code: totp(key) });
  assert.equal(locked.status, 429, `after ${seen}: ${JSON.stringify(locked.body)}`);
  const alsoLocked = await call('b', 'POST', '/api/sign-in/second-factor', { method: 'totp', code: totp(key) });
  assert.equal(alsoLocked.status, 429);
});

test('the password throttle counts failures on both instances', async () => {
  // An address with no account is throttled exactly like one with.
  const call = client();
  const statuses = [];
  for (let i = 0; i < 6; i++) {
    const answer = await call(i % 2 ? 'b' : 'a', 'POST', '/api/sign-in', { email: 'guessed@demo.test', password: `wrong guess ${i}` });
    statuses.push(answer.status);
  }
  assert.deepEqual(statuses.slice(0, 5), [401, 401, 401, 401, 401]);
  // The sixth is refused before it is checked, on either instance.
  assert.equal(statuses[5], 429, `${statuses}`);
  const again = await call('a', 'POST', '/api/sign-in', { email: 'guessed@demo.test', password: 'another guess' });
  assert.equal(again.status, 429, 'still waiting, whichever instance is asked');
});

/** SQL on the cluster's database (psql). */
function sql(query) {
  return execFileSync('psql', [cluster.MFA_CLUSTER_DATABASE_URL, '-qAtc', query], { encoding: 'utf8' }).trim();
}

test('a text sent through one instance holds the resend wait on the other', async () => {
  const call = client();
  assert.equal((await call('a', 'POST', '/api/sign-in', { email: 'admin@demo.test', password: PASSWORD })).status, 200);
  await call('a', 'POST', '/api/reauth', { password: PASSWORD });
  const phone = { country: 'FR', number: '06 12 34 56 78' };
  const [first, second] = await Promise.all([
    call('a', 'POST', '/api/factors/sms', phone),
    call('b', 'POST', '/api/factors/sms', phone),
  ]);
  const statuses = [first.status, second.status].sort();
  assert.deepEqual(statuses, [200, 429], JSON.stringify([first.body, second.body]));
  const resend = await call('b', 'POST', '/api/factors/sms/resend', {});
  assert.equal(resend.status, 429, 'the wait holds on the other instance');
  assert.equal(sql("SELECT COUNT(*) FROM outbox WHERE channel = 'sms'"), '1');
});

let adminKey;

/**
 * `count` more members of the demo company (`<prefix><n>@demo.test`, the demo
 * password), written straight into the database; returns the company's id.
 */
function addMembers(prefix, count) {
  const company = sql("SELECT id FROM companies WHERE name = 'Demo Construction'");
  const hash = sql("SELECT password_hash FROM users WHERE email = 'member@demo.test'");
  sql(`INSERT INTO users (email, name, password_hash, created_at)
       SELECT '${prefix}' || i || '@demo.test', '${prefix} ' || i, '${hash}', 0 FROM generate_series(1, ${count}) i`);
  sql(`INSERT INTO memberships (user_id, company_id, role, created_at)
       SELECT id, ${company}, 'member', 0 FROM users WHERE email LIKE '${prefix}%@demo.test'`);
  return company;
}

test("a deadline's emails go out once each with both instances' workers running", async () => {
  const company = addMembers('worker', 300);
  // Morgan requires MFA as of a date ahead: the admin must have a factor.
  const admin = client();
  assert.equal((await admin('a', 'POST', '/api/sign-in', { email: 'admin@demo.test', password: PASSWORD })).status, 200);
  await admin('b', 'POST', '/api/reauth', { password: PASSWORD });
  const started = await admin('a', 'POST', '/api/factors/totp', {});
  const confirmed = await admin('b', 'POST', '/api/factors/totp/confirm', { code: totp(started.body.secret) });
  assert.equal(confirmed.status, 200, JSON.stringify(confirmed.body));
  adminKey = started.body.secret;
  await admin('a', 'POST', '/api/reauth', { password: PASSWORD });
  const date = new Date(Date.now() + 20 * 86400e3).toISOString().slice(0, 10);
  const saved = await admin('b', 'PUT', `/api/companies/${company}/mfa-policy`, { required: true, enforcement_date: date, time_zone: 'UTC' });
  assert.equal(saved.status, 200, JSON.stringify(saved.body));
  // Both workers drain the queue (each polls it; SKIP LOCKED shares it out).
  let pending = '1';
  for (let i = 0; i < 240 && pending !== '0'; i++) {
    await new Promise((done) => setTimeout(done, 500));
    pending = sql('SELECT COUNT(*) FROM email_queue WHERE sent_at IS NULL AND send_after <= created_at');
  }
  assert.equal(pending, '0', 'every email due now was sent');
  const workers = sql("SELECT COUNT(DISTINCT recipient) FROM outbox WHERE channel = 'email' AND recipient LIKE 'worker%'");
  assert.equal(workers, '300', 'each new member got the deadline email');
  const twice = sql("SELECT COUNT(*) FROM (SELECT recipient, subject FROM outbox WHERE channel = 'email' AND recipient LIKE 'worker%' GROUP BY recipient, subject HAVING COUNT(*) > 1) twice");
  assert.equal(twice, '0', 'nobody got the same email twice');
});

test('an announcement to 100,000 members is finished once by a restarted instance after a kill midway', async () => {
  const company = addMembers('bulk', 100000);
  // The admin (enrolled by the test before) moves the date: a new announcement.
  const admin = client();
  assert.equal((await admin('b', 'POST', '/api/sign-in', { email: 'admin@demo.test', password: PASSWORD })).status, 200);
  await waitForNextStep();
  const second = await admin('a', 'POST', '/api/sign-in/second-factor', { method: 'totp', code: totp(adminKey) });
  assert.equal(second.status, 200, JSON.stringify(second.body));
  await admin('b', 'POST', '/api/reauth', { password: PASSWORD });
  const day = new Date(Date.now() + 40 * 86400e3).toISOString().slice(0, 10);
  const deadline = Date.UTC(...day.split('-').map((n, i) => Number(n) - (i === 1 ? 1 : 0))) / 1000;
  const keys = `company:${company}:deadline:${deadline}:user:%:set`;
  // Instance A takes the change and starts announcing; it is killed midway.
  const saving = admin('a', 'PUT', `/api/companies/${company}/mfa-policy`, { required: true, enforcement_date: day, time_zone: 'UTC' }).catch((e) => e);
  let queued = 0;
  for (let i = 0; i < 600 && queued < 5000; i++) {
    await new Promise((done) => setTimeout(done, 50));
    queued = Number(sql(`SELECT COUNT(*) FROM email_queue WHERE dedup_key LIKE '${keys}'`));
  }
  const early = await Promise.race([saving, new Promise((done) => setTimeout(() => done('pending'), 10))]);
  assert.ok(queued > 0 && queued < 100000, `midway: ${queued} queued; the request: ${JSON.stringify(early)}; keys: ${sql("SELECT dedup_key FROM email_queue ORDER BY id DESC LIMIT 2")}`);
  process.kill(Number(cluster.MFA_CLUSTER_A_PID), 'SIGKILL');
  await saving;
  const stopped = Number(sql(`SELECT COUNT(*) FROM email_queue WHERE dedup_key LIKE '${keys}'`));
  // Started again, it finishes the announcement (its background task).
  const out = execFileSync(script, ['start', 'a'], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  cluster.MFA_CLUSTER_A_PID = /MFA_CLUSTER_A_PID=(\d+)/.exec(out)[1];
  let missing = '1';
  for (let i = 0; i < 600 && missing !== '0'; i++) {
    await new Promise((done) => setTimeout(done, 500));
    missing = sql(`SELECT COUNT(*) FROM users u WHERE u.email LIKE 'bulk%@demo.test' AND NOT EXISTS
      (SELECT 1 FROM email_queue q WHERE q.dedup_key = 'company:${company}:deadline:${deadline}:user:' || u.id || ':set')`);
  }
  assert.equal(missing, '0', `every member's email queued (${stopped} when killed)`);
  assert.equal(sql(`SELECT COUNT(*) FROM (SELECT dedup_key FROM email_queue WHERE dedup_key LIKE '${keys}' GROUP BY dedup_key HAVING COUNT(*) > 1) twice`), '0', 'once each');
  assert.ok(Number(sql(`SELECT COUNT(*) FROM email_queue WHERE dedup_key LIKE '${keys}'`)) >= 100000);
});
