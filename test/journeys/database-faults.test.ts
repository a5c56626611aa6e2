import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { findAccountById } from '../../src/accounts/accounts.js';
import type { SqlParam } from '../../src/db/db.js';
import { findActiveFactor } from '../../src/factors/second-factor/store.js';
import { appClient } from '../app-helpers.js';
import { TestBrowser } from '../browser-client.js';
import { createActiveAccount, createTestApp, createTestOrg, hostOf, loggedInBrowser, mailedResetLink, type TestApp } from '../harness.js';
import { enableTotp, TestAuthenticator } from '../two-factor-helpers.js';

let t: TestApp;
before(async () => {
  t = await createTestApp();
});
after(async () => t.close());

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
    const session = await loggedInBrowser(t, org, user);
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
    const browser = await loggedInBrowser(t, org, user);
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
    const userBrowser = await loggedInBrowser(t, org, user);
    const { app } = await enableTotp(t, userBrowser);
    assert.equal((await userBrowser.get('/account')).statusCode, 200, 'the user is logged in');
    const staff = await loggedInBrowser(t, org, helpdesk);
    const resetRows = () => countRows("SELECT count(*)::int AS n FROM audit_event WHERE tenant_id = $1 AND event = 'two_factor_reset_by_staff'", [org.tenantId]);
    const codesLeft = () => countRows('SELECT count(*)::int AS n FROM recovery_code WHERE tenant_id = $1 AND account_id = $2', [org.tenantId, user.id]);

    await staff.get(`/staff/accounts/${user.id}`);
    const restore = crashInTransactionOn(t.db, /INSERT INTO job/);
    try {
      const crashed = await staff.post(`/staff/accounts/${user.id}/action`, { action: 'reset_two_factor', confirm: 'yes', reason: 'lost phone, identity checked' });
      assert.equal(crashed.statusCode, 500, 'the crash is an error');
      assert.doesNotMatch(crashed.body, /crash in the middle/, 'and shows nothing of it');
    } finally {
      restore();
    }
    assert.notEqual(await findActiveFactor(t.deps.db, org.tenantId, user.id), null, 'the factor is still there');
    assert.equal(await codesLeft(), 6, 'the recovery codes are still there');
    assert.equal((await userBrowser.get('/account')).statusCode, 200, 'the user’s session is still there');
    assert.equal(await resetRows(), 0, 'no audit row');
    const relogin = await loggedInBrowser(t, org, user);
    assert.match(String(relogin.lastResponse?.headers.location), /^\/login\/code/, 'a new login still asks the code');
    await relogin.get('/login/code');
    assert.equal((await relogin.post('/login/code', { code: app.code(t) })).headers.location, '/', 'and the authenticator still works');

    await staff.get(`/staff/accounts/${user.id}`);
    const retried = await staff.post(`/staff/accounts/${user.id}/action`, { action: 'reset_two_factor', confirm: 'yes', reason: 'lost phone, identity checked' });
    assert.equal(retried.statusCode, 303, 'the retry succeeds');
    assert.equal(await findActiveFactor(t.deps.db, org.tenantId, user.id), null, 'the factor is gone');
    assert.equal(await codesLeft(), 0, 'the recovery codes are gone');
    assert.equal((await userBrowser.get('/account')).statusCode, 303, 'the user’s session has ended');
    assert.equal((await relogin.get('/account')).statusCode, 303, 'every session has ended');
    assert.equal(await resetRows(), 1, 'one audit row');
  });
});
