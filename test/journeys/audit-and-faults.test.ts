import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { IngangAppClient } from '../../src/api/client.js';
import { findAccountById } from '../../src/accounts/accounts.js';
import type { SqlParam } from '../../src/db/db.js';
import { findActiveFactor } from '../../src/factors/second-factor/store.js';
import { TestBrowser } from '../browser-client.js';
import { createActiveAccount, createTestApp, createTestOrg, hostOf, loggedInBrowser, mailedResetLink, type TestApp } from '../harness.js';
import { injectFetch } from '../inject-fetch.js';
import { enableTotp, TestAuthenticator } from '../two-factor-helpers.js';

let t: TestApp;
before(async () => {
  t = await createTestApp();
});
after(async () => t.close());

type Org = Parameters<typeof hostOf>[0];

const loggedIn = (org: Org, account: { email: string; password: string }) => loggedInBrowser(t, org, account);

function appClient(app: TestApp, org: Org): IngangAppClient {
  return new IngangAppClient({ baseUrl: `http://${hostOf(org)}`, fetch: injectFetch(app.app) });
}

const countRows = async (sql: string, params: readonly SqlParam[]): Promise<number> => (await t.deps.db.query<{ n: number }>(sql, params))[0]!.n;

/**
 * Makes every statement matching `pattern` inside a transaction throw, like a crash half-way.
 * Returns the function that undoes it.
 */
function crashInTransactionOn(db: TestApp['db'], pattern: RegExp): () => void {
  const realTransaction = db.transaction.bind(db);
  db.transaction = (fn) =>
    realTransaction((tx) =>
      fn({
        ...tx,
        query: async (sql, params) => {
          if (pattern.test(sql)) throw new Error('crash in the middle (test)');
          return tx.query(sql, params);
        },
      }),
    );
  return () => {
    db.transaction = realTransaction;
  };
}

interface Row {
  event: string;
  outcome: string;
  actor_account_id: string | null;
  subject_account_id: string | null;
  ip: string | null;
  user_agent: string | null;
  request_id: string | null;
  occurred_at: Date;
  details: Record<string, unknown>;
}

const auditRows = (tenantId: string) =>
  t.deps.db.query<Row>('SELECT event, outcome, actor_account_id, subject_account_id, ip, user_agent, request_id, occurred_at, details FROM audit_event WHERE tenant_id = $1 ORDER BY id', [tenantId]);

describe('SECURITY 29: one audit row per event, no secrets, append only', () => {
  test('a journey leaves exactly the expected rows with every field of SPEC 7 and none of its secrets', async () => {
    const org = await createTestOrg(t);
    const user = await createActiveAccount(t, org, { password: 'my secret passphrase' });
    const before = (await auditRows(org.tenantId)).length;
    const browser = new TestBrowser(t.app, hostOf(org), { 'user-agent': 'AuditTest/1.0' });
    await browser.login(user.email, 'wrong guess passphrase');
    await browser.login(user.email, 'my secret passphrase');
    await browser.get('/');
    await browser.post('/logout', {});
    const link = await mailedResetLink(t, browser, user.email);
    await browser.get(link);
    await browser.post(link, { password: 'the next passphrase', passwordConfirm: 'the next passphrase' });

    const rows = (await auditRows(org.tenantId)).slice(before);
    assert.deepEqual(
      rows.map((r) => `${r.event}:${r.outcome}`),
      ['login_failed:failure', 'login_succeeded:success', 'logged_out:success', 'password_reset_requested:success', 'password_reset_email_sent:success', 'password_changed:success'],
    );
    const requestRows = rows.filter((r) => r.event !== 'password_reset_email_sent');
    for (const row of requestRows) {
      assert.equal(row.ip, '127.0.0.1', row.event);
      assert.equal(row.user_agent, 'AuditTest/1.0', row.event);
      assert.match(row.request_id ?? '', /^[0-9a-f-]{36}$/, row.event);
      assert.ok(row.occurred_at instanceof Date);
    }
    assert.equal(rows.at(-1)!.details?.via, 'reset', 'a reset is a password change made through the link');
    assert.equal(rows[0]!.subject_account_id, user.id);
    assert.equal(rows[1]!.actor_account_id, user.id);
    const everything = JSON.stringify(await auditRows(org.tenantId));
    const token = link.split('/').pop()!;
    for (const secret of ['my secret passphrase', 'wrong guess passphrase', 'the next passphrase', token, token.split('.')[1]!]) {
      assert.ok(!everything.includes(secret), `audit leaks ${secret.slice(0, 8)}…`);
    }
  });

  test('the database refuses to update, delete or truncate audit rows', async () => {
    const org = await createTestOrg(t);
    await createActiveAccount(t, org);
    await assert.rejects(t.deps.db.query("UPDATE audit_event SET event = 'tampered' WHERE tenant_id = $1", [org.tenantId]), /append-only/);
    await assert.rejects(t.deps.db.query('DELETE FROM audit_event WHERE tenant_id = $1', [org.tenantId]), /append-only/);
    await assert.rejects(t.deps.db.query('TRUNCATE audit_event'), /append-only/);
    assert.ok((await auditRows(org.tenantId)).length > 0);
  });
});

describe('SECURITY 30: the database goes away and comes back', () => {
  test('503 with a clear page, /readyz fails, no attempt counted; afterwards all works without a restart', async () => {
    const org = await createTestOrg(t);
    const user = await createActiveAccount(t, org);
    const browser = new TestBrowser(t.app, hostOf(org));
    await browser.get('/login');
    t.db.down = true;
    try {
      const login = await browser.post('/login', { email: user.email, password: 'wrong password!!' });
      assert.equal(login.statusCode, 503);
      assert.match(login.body, /Nothing was changed/);
      assert.doesNotMatch(login.body, /at \w+ \(/);
      assert.ok(login.headers['content-security-policy']);
      assert.equal((await t.app.inject({ method: 'GET', url: '/readyz', headers: { host: 'localhost' } })).statusCode, 503);
      assert.equal((await t.app.inject({ method: 'GET', url: '/healthz', headers: { host: 'localhost' } })).statusCode, 200, 'the process is up');
    } finally {
      t.db.down = false;
    }
    assert.equal((await findAccountById(t.deps.db, org.tenantId, user.id))!.failedLoginCount, 0, 'no attempt counted');
    assert.equal((await t.app.inject({ method: 'GET', url: '/readyz', headers: { host: 'localhost' } })).statusCode, 200);
    await browser.get('/login');
    assert.equal((await browser.post('/login', { email: user.email, password: user.password })).statusCode, 303);
  });

  test('SECURITY 30: POST /login/password answers 503 with a JSON error, counts nothing, and works once the database is back', async () => {
    const org = await createTestOrg(t);
    const user = await createActiveAccount(t, org);
    const request = (password: string) =>
      t.app.inject({
        method: 'POST',
        url: '/api/app/v1/login/password',
        headers: { host: hostOf(org), 'content-type': 'application/json' },
        payload: JSON.stringify({ email: user.email, password, deviceName: 'Phone' }),
      });
    t.db.down = true;
    let down: Awaited<ReturnType<typeof request>>;
    try {
      down = await request('a wrong password!');
    } finally {
      t.db.down = false;
    }
    assert.equal(down.statusCode, 503, 'service unavailable');
    assert.match(String(down.headers['content-type']), /^application\/json/, 'a JSON answer, not a page');
    const body = JSON.parse(down.body) as { error?: string; message?: string };
    assert.equal(body.error, 'service_unavailable', 'a clear error code');
    assert.doesNotMatch(down.body, /<html|at \w+ \(|\.ts:\d+|connection refused/i, 'no HTML, stack trace or internals');
    assert.ok(down.headers['retry-after'], 'Retry-After tells the app when to try again');
    assert.equal((await findAccountById(t.deps.db, org.tenantId, user.id))!.failedLoginCount, 0, 'the wrong password during the outage was not counted');

    const back = await appClient(t, org).loginWithPassword(user.email, user.password, 'Phone');
    assert.ok(back.ok && 'deviceId' in back.value, `after the database returns the login works: ${JSON.stringify(back)}`);
  });
});

describe('SECURITY 31: a multi-step change is all or nothing', () => {
  test('a reset that fails half-way leaves the link, the password and the sessions as they were', async () => {
    const org = await createTestOrg(t);
    const user = await createActiveAccount(t, org);
    const session = new TestBrowser(t.app, hostOf(org));
    await session.login(user.email, user.password);
    const browser = new TestBrowser(t.app, hostOf(org));
    const link = await mailedResetLink(t, browser, user.email);
    await browser.get(link);
    // Cut the database after the token is used and the password set, before the sessions end.
    const restore = crashInTransactionOn(t.db, /DELETE FROM web_session/);
    try {
      const crashed = await browser.post(link, { password: 'the next passphrase', passwordConfirm: 'the next passphrase' });
      assert.equal(crashed.statusCode, 500);
      assert.doesNotMatch(crashed.body, /crash in the middle/);
    } finally {
      restore();
    }
    assert.equal((await session.get('/account')).statusCode, 200, 'sessions untouched');
    assert.equal((await new TestBrowser(t.app, hostOf(org)).login(user.email, user.password)).statusCode, 303, 'old password still works');
    await browser.get(link);
    assert.equal((await browser.post(link, { password: 'the next passphrase', passwordConfirm: 'the next passphrase' })).statusCode, 303, 'the link was not used up');
  });

  test('SECURITY 31: 2FA enable that crashes at its last write leaves no factor, codes, audit row or mail; a retry works', async () => {
    const org = await createTestOrg(t);
    const user = await createActiveAccount(t, org);
    const browser = await loggedIn(org, user);
    await browser.get('/account/2fa/setup');
    assert.equal((await browser.post('/account/2fa/setup', { method: 'totp', phone: '' })).headers.location, '/account/2fa/setup/totp', 'the setup starts');
    const page = await browser.get('/account/2fa/setup/totp');
    const secret = /<code class="secret">([A-Z2-7 ]+)<\/code>/.exec(page.body)?.[1]?.replace(/ /g, '');
    assert.ok(secret, 'the secret is shown');
    const authenticator = new TestAuthenticator(secret);
    const mailJobs = () => countRows("SELECT count(*)::int AS n FROM job WHERE tenant_id = $1 AND kind = 'email' AND payload::text LIKE '%two_factor_enabled%'", [org.tenantId]);

    // The mail to the outbox is the last write of the transaction: everything before it must go too.
    const restore = crashInTransactionOn(t.db, /INSERT INTO job/);
    try {
      const crashed = await browser.post('/account/2fa/setup/totp', { code: authenticator.code(t) });
      assert.equal(crashed.statusCode, 500, 'the crash is an error');
      assert.doesNotMatch(crashed.body, /crash in the middle/, 'and shows nothing of it');
    } finally {
      restore();
    }
    assert.equal(await findActiveFactor(t.deps.db, org.tenantId, user.id), null, 'no active factor');
    assert.equal(await countRows('SELECT count(*)::int AS n FROM recovery_code WHERE tenant_id = $1 AND account_id = $2', [org.tenantId, user.id]), 0, 'no recovery codes');
    assert.equal(await countRows("SELECT count(*)::int AS n FROM audit_event WHERE tenant_id = $1 AND event = 'totp_enabled'", [org.tenantId]), 0, 'no audit row');
    assert.equal(await mailJobs(), 0, 'no mail');
    const account = await browser.get('/account');
    assert.equal(account.statusCode, 200, 'the session goes on as before');

    t.clock.advanceSeconds(30);
    const retried = await browser.post('/account/2fa/setup/totp', { code: authenticator.code(t) });
    assert.equal(retried.headers.location, '/account/2fa/recovery-codes', 'the retry enables 2FA');
    assert.notEqual(await findActiveFactor(t.deps.db, org.tenantId, user.id), null, 'the factor is active');
    assert.equal(await countRows('SELECT count(*)::int AS n FROM recovery_code WHERE tenant_id = $1 AND account_id = $2', [org.tenantId, user.id]), 6, 'six recovery codes');
    assert.equal(await countRows("SELECT count(*)::int AS n FROM audit_event WHERE tenant_id = $1 AND event = 'totp_enabled'", [org.tenantId]), 1, 'one audit row');
    assert.equal(await mailJobs(), 1, 'one mail');
  });

  test('SECURITY 31: a helpdesk 2FA reset that crashes at its last write leaves factor, codes, sessions and audit as they were; a retry does it all', async () => {
    const org = await createTestOrg(t);
    const user = await createActiveAccount(t, org);
    const helpdesk = await createActiveAccount(t, org, { role: 'helpdesk' });
    const userBrowser = await loggedIn(org, user);
    const { app } = await enableTotp(t, userBrowser);
    assert.equal((await userBrowser.get('/account')).statusCode, 200, 'the user is logged in');
    const staff = await loggedIn(org, helpdesk);
    const resetRows = () => countRows("SELECT count(*)::int AS n FROM audit_event WHERE tenant_id = $1 AND event = 'two_factor_reset_by_staff'", [org.tenantId]);
    const codesLeft = () => countRows('SELECT count(*)::int AS n FROM recovery_code WHERE tenant_id = $1 AND account_id = $2', [org.tenantId, user.id]);

    await staff.get(`/staff/accounts/${user.id}`);
    const restore = crashInTransactionOn(t.db, /INSERT INTO job/);
    try {
      const crashed = await staff.post(`/staff/accounts/${user.id}/action`, { action: 'reset_two_factor', reason: 'lost phone, identity checked' });
      assert.equal(crashed.statusCode, 500, 'the crash is an error');
      assert.doesNotMatch(crashed.body, /crash in the middle/, 'and shows nothing of it');
    } finally {
      restore();
    }
    assert.notEqual(await findActiveFactor(t.deps.db, org.tenantId, user.id), null, 'the factor is still there');
    assert.equal(await codesLeft(), 6, 'the recovery codes are still there');
    assert.equal((await userBrowser.get('/account')).statusCode, 200, 'the user’s session is still there');
    assert.equal(await resetRows(), 0, 'no audit row');
    const relogin = await loggedIn(org, user);
    assert.match(String(relogin.lastResponse?.headers.location), /^\/login\/code/, 'a new login still asks the code');
    await relogin.get('/login/code');
    assert.equal((await relogin.post('/login/code', { code: app.code(t) })).headers.location, '/', 'and the authenticator still works');

    await staff.get(`/staff/accounts/${user.id}`);
    const retried = await staff.post(`/staff/accounts/${user.id}/action`, { action: 'reset_two_factor', reason: 'lost phone, identity checked' });
    assert.equal(retried.statusCode, 303, 'the retry succeeds');
    assert.equal(await findActiveFactor(t.deps.db, org.tenantId, user.id), null, 'the factor is gone');
    assert.equal(await codesLeft(), 0, 'the recovery codes are gone');
    assert.equal((await userBrowser.get('/account')).statusCode, 303, 'the user’s session has ended');
    assert.equal((await relogin.get('/account')).statusCode, 303, 'every session has ended');
    assert.equal(await resetRows(), 1, 'one audit row');
  });
});

describe('SECURITY 32: a restart keeps what matters', () => {
  test('a new instance on the same database keeps the session, used TOTP steps, used recovery codes and code locks', async () => {
    const org = await createTestOrg(t);
    const user = await createActiveAccount(t, org);
    const browser = await loggedIn(org, user);
    const { app, recoveryCodes } = await enableTotp(t, browser);
    const usedCode = app.code(t);
    const first = await loggedIn(org, user);
    await first.get('/login/code');
    assert.equal((await first.post('/login/code', { code: usedCode })).statusCode, 303);
    const viaRecovery = await loggedIn(org, user);
    await viaRecovery.get('/login/recovery');
    assert.equal((await viaRecovery.post('/login/recovery', { recoveryCode: recoveryCodes[0]! })).statusCode, 303);
    const locked = await createActiveAccount(t, org);
    const { app: lockedApp } = await enableTotp(t, await loggedIn(org, locked));
    for (let i = 0; i < 2; i++) {
      const attempt = await loggedIn(org, locked);
      await attempt.get('/login/code');
      for (let j = 0; j < 5; j++) await attempt.post('/login/code', { code: '000000' });
    }

    const restarted = await createTestApp({ clockStart: t.clock.now() });
    try {
      const sameSession = new TestBrowser(restarted.app, hostOf(org));
      sameSession.cookies = new Map(first.cookies);
      assert.equal((await sameSession.get('/account')).statusCode, 200, 'the session survives');
      const replay = new TestBrowser(restarted.app, hostOf(org));
      await replay.login(user.email, user.password);
      await replay.get('/login/code');
      assert.equal((await replay.post('/login/code', { code: usedCode })).statusCode, 200, 'a used time step stays used');
      await replay.get('/login/recovery');
      assert.equal((await replay.post('/login/recovery', { recoveryCode: recoveryCodes[0]! })).statusCode, 200, 'a used recovery code stays used');
      const lockedAfter = new TestBrowser(restarted.app, hostOf(org));
      await lockedAfter.login(locked.email, locked.password);
      await lockedAfter.get('/login/code');
      assert.equal((await lockedAfter.post('/login/code', { code: lockedApp.code(restarted) })).statusCode, 429, 'the code lock survives');
    } finally {
      await restarted.close();
    }
  });

  test('SECURITY 8 + 32: 3 wrong PINs, a restart, 2 more wrong PINs: the device is revoked', async () => {
    const org = await createTestOrg(t);
    const user = await createActiveAccount(t, org);
    const app = appClient(t, org);
    const login = await app.loginWithPassword(user.email, user.password, 'Test phone');
    assert.ok(login.ok && 'deviceId' in login.value, `a device: ${JSON.stringify(login)}`);
    const { deviceId, deviceSecret } = login.value as { deviceId: string; deviceSecret: string };
    assert.equal((await app.setPin(deviceId, deviceSecret, '27183')).status, 204, 'the PIN is set');
    for (let i = 0; i < 3; i++) {
      const wrong = await app.loginWithPin(deviceId, deviceSecret, '90210');
      assert.equal(wrong.ok ? 'ok' : wrong.error, 'invalid_pin', `wrong PIN ${i + 1} is refused`);
    }

    const restarted = await createTestApp({ clockStart: t.clock.now() });
    try {
      const again = appClient(restarted, org);
      const fourth = await again.loginWithPin(deviceId, deviceSecret, '90210');
      assert.equal(fourth.ok ? 'ok' : fourth.error, 'invalid_pin', 'the fourth wrong PIN is refused');
      assert.equal(fourth.ok ? null : fourth.attemptsLeft, 1, 'the count went on from 3');
      const fifth = await again.loginWithPin(deviceId, deviceSecret, '90210');
      assert.equal(fifth.ok ? 'ok' : fifth.error, 'device_revoked', 'the fifth wrong PIN in a row revokes the device');
      const right = await again.loginWithPin(deviceId, deviceSecret, '27183');
      assert.equal(right.ok, false, 'the right PIN no longer opens the revoked device');
    } finally {
      await restarted.close();
    }
  });

  test('SECURITY 3 + 32: a password lockout survives a restart: the right password is refused within the delay', async () => {
    const org = await createTestOrg(t);
    const user = await createActiveAccount(t, org);
    const attacker = new TestBrowser(t.app, hostOf(org));
    for (let i = 0; i < 5; i++) {
      const wrong = await attacker.login(user.email, `wrong guess number ${i}!`);
      assert.equal(wrong.statusCode, 200, `wrong password ${i + 1} is refused`);
    }

    const restarted = await createTestApp({ clockStart: t.clock.now() });
    try {
      const owner = new TestBrowser(restarted.app, hostOf(org));
      const refused = await owner.login(user.email, user.password);
      assert.equal(refused.statusCode, 200, 'within the delay the right password gets the generic failure, after a restart too');
      assert.equal((await owner.get('/account')).statusCode, 303, 'no logged-in session came of it');
      restarted.clock.advanceSeconds(61);
      const later = await owner.login(user.email, user.password);
      assert.equal(later.statusCode, 303, 'after the delay the right password works');
    } finally {
      await restarted.close();
    }
  });
});

describe('SECURITY 33: the mail provider is down', () => {
  test('mail stays in the durable outbox, is retried, and arrives when the provider is back', async () => {
    const org = await createTestOrg(t);
    const user = await createActiveAccount(t, org);
    t.mail.failing = true;
    const browser = new TestBrowser(t.app, hostOf(org));
    const answer = await browser.submit('/password/forgot', '/password/forgot', { email: user.email });
    assert.equal(answer.statusCode, 200);
    await t.jobs.runDue();
    assert.equal(t.mail.to(user.email).length, 0);
    const [pending] = await t.deps.db.query<{ attempts: number; last_error: string; done_at: Date | null }>(
      "SELECT attempts, last_error, done_at FROM job WHERE tenant_id = $1 AND kind = 'email' ORDER BY seq DESC LIMIT 1",
      [org.tenantId],
    );
    assert.equal(pending!.done_at, null);
    assert.match(pending!.last_error, /unavailable/);
    t.mail.failing = false;
    await t.jobs.runDue();
    assert.equal(t.mail.to(user.email).length, 0, 'not before its retry time');
    t.clock.advanceSeconds(31);
    await t.jobs.runDue();
    assert.equal(t.mail.to(user.email).length, 1, 'delivered on retry');
    const link = t.mail.linkIn(t.mail.last(user.email), '/password/reset/');
    assert.equal((await browser.get(link)).statusCode, 200, 'and the link in it works');
  });
});
