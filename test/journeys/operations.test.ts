import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { buildApp } from '../../src/app.js';
import { ManualClock } from '../../src/core/clock.js';
import { cryptoRandom } from '../../src/core/random.js';
import { runMaintenance } from '../../src/jobs/maintenance.js';
import { TestBrowser } from '../browser-client.js';
import { accountWithSms } from '../two-factor-helpers.js';
import { CapturedMail, createActiveAccount, jobScope, createTestApp, createTestOrg, hostOf, loggedInBrowser, testConfig, testDatabase, type TestApp } from '../harness.js';

let t: TestApp;
before(async () => {
  t = await createTestApp({ config: { METRICS_TOKEN: 'metrics-token-for-tests' } });
});
after(async () => t.close());

describe('health and metrics (SPEC 9)', () => {
  test('/metrics needs the bearer token and answers on any host', async () => {
    await t.app.inject({ method: 'GET', url: '/healthz', headers: { host: 'monitoring.internal' } });
    const none = await t.app.inject({ method: 'GET', url: '/metrics', headers: { host: 'monitoring.internal' } });
    assert.equal(none.statusCode, 401);
    const wrong = await t.app.inject({ method: 'GET', url: '/metrics', headers: { host: 'monitoring.internal', authorization: 'Bearer nope' } });
    assert.equal(wrong.statusCode, 401);
    const ok = await t.app.inject({ method: 'GET', url: '/metrics', headers: { host: 'monitoring.internal', authorization: 'Bearer metrics-token-for-tests' } });
    assert.equal(ok.statusCode, 200);
    assert.match(ok.body, /^ingang_jobs_pending \d+$/m);
    assert.match(ok.body, /ingang_http_responses_total\{class="2xx"\} \d+/);

    // A failed login from an unknown address shows as argon2 work too.
    const metric = async () => {
      const body = (await t.app.inject({ method: 'GET', url: '/metrics', headers: { host: 'monitoring.internal', authorization: 'Bearer metrics-token-for-tests' } })).body;
      const value = /^ingang_password_verifications_total (\d+)$/m.exec(body)?.[1];
      assert.ok(value !== undefined, 'ingang_password_verifications_total is listed');
      return Number(value);
    };
    const org = await createTestOrg(t);
    const browser = new TestBrowser(t.app, hostOf(org));
    await browser.get('/login');
    const before = await metric();
    await browser.post('/login', { email: 'nobody@example.org', password: 'a wrong password 1!' });
    assert.equal(await metric(), before + 1);
  });

  test('/metrics with the database down answers 503 with a retry, naming no internals (SECURITY 30)', async () => {
    t.db.down = true;
    try {
      const down = await t.app.inject({ method: 'GET', url: '/metrics', headers: { host: 'monitoring.internal', authorization: 'Bearer metrics-token-for-tests' } });
      assert.equal(down.statusCode, 503);
      assert.equal(down.headers['retry-after'], '30');
      assert.deepEqual(JSON.parse(down.body), { status: 'database_unavailable' });
    } finally {
      t.db.down = false;
    }
  });

  test('without METRICS_TOKEN there is no /metrics', async () => {
    const plain = await createTestApp();
    try {
      assert.equal((await plain.app.inject({ method: 'GET', url: '/metrics', headers: { host: 'localhost' } })).statusCode, 404);
    } finally {
      await plain.close();
    }
  });
});

describe('dev outbox (SPEC 8)', () => {
  test('lists this org’s messages with clickable links outside production', async () => {
    const org = await createTestOrg(t);
    const other = await createTestOrg(t);
    await createActiveAccount(t, org);
    const browser = new TestBrowser(t.app, hostOf(org));
    await browser.submit('/password/forgot', '/password/forgot', { email: 'nobody-known@example.org' });
    const admin = await createActiveAccount(t, other, { role: 'admin', email: 'other-admin@example.org' });
    await browser.submit('/help', '/password/forgot', { email: admin.email });
    const page = await new TestBrowser(t.app, hostOf(org)).get('/dev/outbox');
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /<a href="http:\/\/[^"]+\/welcome\//, 'the welcome link of the account is clickable');
    assert.doesNotMatch(page.body, /other-admin@example\.org/, 'no messages of another org');
  });

  test('does not exist where SMTP is configured, even outside production', async () => {
    const db = await testDatabase();
    const { app } = await buildApp({ config: testConfig({ SMTP_URL: 'smtp://127.0.0.1:1' }), db, clock: new ManualClock(), random: cryptoRandom, mail: new CapturedMail(), sms: null, logger: false });
    const org = await createTestOrg(t);
    assert.equal((await app.inject({ method: 'GET', url: '/dev/outbox', headers: { host: hostOf(org) } })).statusCode, 404);
    await app.close();
  });

  test('does not exist in production', async () => {
    const db = await testDatabase();
    const { app } = await buildApp({
      config: testConfig({ NODE_ENV: 'production', SMTP_URL: 'smtp://127.0.0.1:1', MAIL_FROM: 'x@example.org', SECRET_KEY: 'k'.repeat(40), SMS_PROVIDER: 'none' }),
      db,
      clock: new ManualClock(),
      random: cryptoRandom,
      mail: new CapturedMail(),
      sms: null,
      logger: false,
    });
    const org = await createTestOrg(t);
    assert.equal((await app.inject({ method: 'GET', url: '/dev/outbox', headers: { host: hostOf(org) } })).statusCode, 404);
    await app.close();
  });
});

describe('maintenance', () => {
  test('unused anonymous sessions and ended rate-limit windows are purged; logged-in sessions stay', async () => {
    const org = await createTestOrg(t);
    const user = await createActiveAccount(t, org);
    const visitor = new TestBrowser(t.app, hostOf(org));
    await visitor.get('/login');
    const member = await loggedInBrowser(t, org, user);
    const count = async () => (await t.deps.db.query<{ n: number }>('SELECT count(*)::int AS n FROM web_session WHERE tenant_id = $1', [org.tenantId]))[0]!.n;
    assert.equal(await count(), 2);
    // Scoped to this org: the test database is shared with tests running at the same time.
    t.clock.advanceSeconds(25 * 3600);
    await runMaintenance(t.deps.db, t.clock.now(), { onlyTenantId: org.tenantId });
    assert.equal(await count(), 1, 'the never-used session is gone');
    t.clock.advanceSeconds(31 * 24 * 3600);
    await runMaintenance(t.deps.db, t.clock.now(), { onlyTenantId: org.tenantId });
    assert.equal(await count(), 0);
  });

  test('SMS codes go two days after they were sent; a fresh one stays', async () => {
    const { org } = await accountWithSms(t);
    const codes = async () => (await t.deps.db.query<{ n: number }>('SELECT count(*)::int AS n FROM sms_code WHERE tenant_id = $1', [org.tenantId]))[0]!.n;
    assert.equal(await codes(), 1, 'the setup code');
    t.clock.advanceSeconds(47 * 3600);
    assert.equal((await runMaintenance(t.deps.db, t.clock.now(), { onlyTenantId: org.tenantId })).smsCodes, 0);
    t.clock.advanceSeconds(2 * 3600);
    assert.equal((await runMaintenance(t.deps.db, t.clock.now(), { onlyTenantId: org.tenantId })).smsCodes, 1);
    assert.equal(await codes(), 0);
  });
});

describe('logout without a session', () => {
  test('just goes to the login page', async () => {
    const org = await createTestOrg(t);
    const response = await t.app.inject({ method: 'POST', url: '/logout', headers: { host: hostOf(org), origin: `http://${hostOf(org)}`, 'content-type': 'application/x-www-form-urlencoded' }, payload: '' });
    assert.equal(response.statusCode, 303);
    assert.equal(response.headers.location, '/login');
  });
});

describe('logs (SPEC 9)', () => {
  test('JSON lines with a request id; passwords, cookies and link tokens never appear', async () => {
    const stream = new PassThrough();
    const lines: string[] = [];
    stream.on('data', (chunk: Buffer) => lines.push(...chunk.toString().split('\n').filter(Boolean)));
    const db = await testDatabase();
    const mail = new CapturedMail();
    const { app, jobs } = await buildApp({ config: testConfig(), db, clock: new ManualClock(new Date()), random: cryptoRandom, mail, sms: null, jobScope, logger: stream });
    const org = await createTestOrg(t);
    const user = await createActiveAccount(t, org, { password: 'log secret passphrase' });
    const browser = new TestBrowser(app, hostOf(org));
    await browser.login(user.email, 'log secret passphrase');
    await browser.get('/');
    await browser.submit('/password/forgot', '/password/forgot', { email: user.email });
    await jobs.runDue();
    const link = mail.linkIn(mail.last(user.email), '/password/reset/');
    await browser.get(link);
    await app.close();
    assert.ok(lines.length > 0);
    const parsed = lines.map((l) => JSON.parse(l) as { reqId?: string });
    assert.ok(parsed.some((entry) => typeof entry.reqId === 'string'));
    const all = lines.join('\n');
    const token = link.split('/').pop()!;
    assert.ok(!all.includes('log secret passphrase'), 'password in logs');
    assert.ok(!all.includes(token.split('.')[1]!), 'link token in logs');
    assert.ok(!all.includes(browser.cookies.get('ingang_session')!.split('.')[1]!), 'session secret in logs');
    assert.match(all, /\/password\/reset\/\[redacted\]/);
  });
});
