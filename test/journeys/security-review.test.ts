import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { IngangAppClient } from '../../src/api/client.js';
import { findAccountById } from '../../src/accounts/accounts.js';
import type { SqlParam } from '../../src/db/db.js';
import { findActiveFactor } from '../../src/factors/second-factor/store.js';
import { TestBrowser } from '../browser-client.js';
import { createActiveAccount, createTestApp, createTestOrg, hostOf, loggedInBrowser, type TestApp } from '../harness.js';
import { injectFetch } from '../inject-fetch.js';
import { enableTotp, TestAuthenticator } from '../two-factor-helpers.js';

/**
 * Attacks over HTTP on protections of /work/shared/SECURITY.md that other tests left open. Each
 * test fails when the protection it names is taken away.
 */

let t: TestApp;
before(async () => {
  t = await createTestApp();
});
after(async () => t.close());

type Org = Parameters<typeof hostOf>[0];

const phone = '+31612345678';
const sessionCookie = 'ingang_session';
const trustCookie = 'ingang_trust';

const loggedIn = (org: Org, account: { email: string; password: string }) => loggedInBrowser(t, org, account);

/** Sets up SMS as the second factor through the pages; returns the recovery codes. */
async function enableSms(browser: TestBrowser): Promise<string[]> {
  await browser.get('/account/2fa/setup');
  const chosen = await browser.post('/account/2fa/setup', { method: 'sms', phone });
  assert.equal(chosen.headers.location, '/account/2fa/setup/sms', `SMS setup starts: ${chosen.body.slice(0, 300)}`);
  await browser.get('/account/2fa/setup/sms');
  const confirmed = await browser.post('/account/2fa/setup/sms', { code: t.sms.lastCode(phone) });
  assert.equal(confirmed.headers.location, '/account/2fa/recovery-codes', 'the setup code confirms the number');
  const page = await browser.get('/account/2fa/recovery-codes');
  await browser.post('/account/2fa/recovery-codes', { stored: 'yes' });
  const codes = [...page.body.matchAll(/<li><code>([0-9A-Z-]{19})<\/code><\/li>/g)].map((m) => m[1]!);
  assert.equal(codes.length, 6, 'six recovery codes are shown');
  return codes;
}

/** A browser that holds only this cookie value as its session. */
function browserWithSession(app: TestApp, org: Org, cookieValue: string): TestBrowser {
  const browser = new TestBrowser(app.app, hostOf(org));
  browser.cookies.set(sessionCookie, cookieValue);
  return browser;
}

function appClient(app: TestApp, org: Org): IngangAppClient {
  return new IngangAppClient({ baseUrl: `http://${hostOf(org)}`, fetch: injectFetch(app.app) });
}

/**
 * Makes every statement matching `pattern` inside a transaction throw, like a crash half-way
 * (the way audit-and-faults.test.ts does it). Returns the function that undoes it.
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

/**
 * A race made real: the first query matching `pattern` waits, after it ran, until a second one has
 * run too (at most 2 s). Returns the function that undoes it.
 */
function holdFirstUntilSecond(db: TestApp['db'], pattern: RegExp): () => void {
  const realQuery = db.query.bind(db);
  let arrived = 0;
  let secondArrived!: () => void;
  const second = new Promise<void>((resolve) => (secondArrived = resolve));
  db.query = (async (sql: string, params?: readonly SqlParam[]) => {
    const rows = await realQuery(sql, params);
    if (pattern.test(sql)) {
      arrived += 1;
      if (arrived === 1) await Promise.race([second, new Promise((resolve) => setTimeout(resolve, 2000))]);
      else secondArrived();
    }
    return rows;
  }) as typeof db.query;
  return () => {
    db.query = realQuery;
  };
}

const countRows = async (sql: string, params: readonly SqlParam[]): Promise<number> => (await t.deps.db.query<{ n: number }>(sql, params))[0]!.n;

describe('SECURITY 11: an SMS code is single use and bound to its purpose', () => {
  test('SECURITY 11: two parallel posts of one login code log in once; the code never works again in a later login', async () => {
    const org = await createTestOrg(t);
    const user = await createActiveAccount(t, org);
    await enableSms(await loggedIn(org, user));
    t.clock.advanceSeconds(61);
    const browser = await loggedIn(org, user);
    await browser.get('/login/code');
    const code = t.sms.lastCode(phone);

    // Both requests carry the same session and the same right code: only one may use it. In one
    // process the first request would finish before the second looks up its session; the barrier
    // holds the first right after it found the code until the second has found it too, so both
    // really race for the one use (as they do on a PostgreSQL with several connections).
    const release = holdFirstUntilSecond(t.db, /UPDATE sms_code SET attempts = attempts \+ 1/);
    let answers;
    try {
      answers = await Promise.all([browser.post('/login/code', { code }), browser.post('/login/code', { code })]);
    } finally {
      release();
    }
    const described = answers.map((r) => `${r.statusCode} ${r.headers.location ?? ''}`).join(', ');
    const loggedInWithIt = answers.filter((r) => r.statusCode === 303 && r.headers.location === '/');
    assert.equal(loggedInWithIt.length, 1, `exactly one use of the code logs in; answers: ${described}`);
    assert.ok(answers.some((r) => r.statusCode === 200 && /This code is not right/.test(r.body)), `the other use is refused as a wrong code; answers: ${described}`);
    const successes = await countRows(
      "SELECT count(*)::int AS n FROM audit_event WHERE tenant_id = $1 AND event = 'login_succeeded' AND details->>'step' = 'second_factor'",
      [org.tenantId],
    );
    assert.equal(successes, 1, 'one code, one completed login');

    // Later, a new login attempt in another browser tries the used code again.
    t.clock.advanceSeconds(61);
    const later = await loggedIn(org, user);
    await later.get('/login/code');
    const replay = await later.post('/login/code', { code });
    assert.equal(replay.statusCode, 200, 'the used code is refused');
    assert.match(replay.body, /This code is not right/, 'with the wrong-code message');
    assert.equal((await later.post('/login/code', { code: t.sms.lastCode(phone) })).headers.location, '/', 'the new code of this attempt works');
  });

  test('SECURITY 11: an unused, valid login code of this very session cannot turn 2FA off; a confirm code can', async () => {
    const org = await createTestOrg(t, { policy: { idleMinutes: 10, twoFactorClients: 'optional' } });
    const user = await createActiveAccount(t, org);
    const recovery = await enableSms(await loggedIn(org, user));
    t.clock.advanceMinutes(16);

    // Opening the code page sends a login code; the user logs in with a recovery code instead.
    const browser = await loggedIn(org, user);
    const sentBefore = t.sms.sent.length;
    await browser.get('/login/code');
    assert.equal(t.sms.sent.length, sentBefore + 1, 'a login code was sent when the code page opened');
    const firstLoginCode = t.sms.lastCode(phone);
    await browser.get('/login/recovery');
    assert.equal((await browser.post('/login/recovery', { recoveryCode: recovery[0]! })).statusCode, 303, 'logged in with a recovery code');
    await browser.get('/account/2fa');
    const refusedFirst = await browser.post('/account/2fa/disable', { password: user.password, code: firstLoginCode });
    assert.equal(refusedFirst.statusCode, 400, 'the unused login code does not turn 2FA off');
    assert.notEqual(await findActiveFactor(t.deps.db, org.tenantId, user.id), null, '2FA is still on');

    // Sharper: a login code sent to THIS session (the code asked again after inactivity) while the
    // browser is trusted, so the same session is fully logged in and the code is its newest one.
    const trust = browser.cookies.get(trustCookie);
    assert.ok(trust, 'the browser is trusted after the code step');
    browser.cookies.delete(trustCookie);
    t.clock.advanceMinutes(11);
    assert.match(String((await browser.get('/account')).headers.location), /^\/login\/code/, 'idle without trust: the code is asked again');
    await browser.get('/login/code');
    assert.equal(t.sms.sent.length, sentBefore + 2, 'a second login code was sent, to this session');
    const loginCode = t.sms.lastCode(phone);
    browser.cookies.set(trustCookie, trust);
    assert.equal((await browser.get('/account/2fa')).statusCode, 200, 'with the trust cookie back, the same session is logged in');
    const refused = await browser.post('/account/2fa/disable', { password: user.password, code: loginCode });
    assert.equal(refused.statusCode, 400, 'a valid login code of this session does not turn 2FA off');
    assert.match(refused.body, /This code is not right/, 'the code is refused as not right');
    assert.notEqual(await findActiveFactor(t.deps.db, org.tenantId, user.id), null, '2FA is still on after the login code');

    t.clock.advanceSeconds(61);
    await browser.get('/account/2fa');
    const sent = await browser.post('/account/2fa/confirm-code', { returnTo: '/account/2fa' });
    assert.match(String(sent.headers.location), /sms=sent/, 'a confirm code was sent');
    const confirmCode = t.sms.lastCode(phone);
    await browser.get('/account/2fa?sms=sent');
    const off = await browser.post('/account/2fa/disable', { password: user.password, code: confirmCode });
    assert.equal(off.statusCode, 303, `the code sent for this purpose turns 2FA off: ${off.body.slice(0, 300)}`);
    assert.equal(await findActiveFactor(t.deps.db, org.tenantId, user.id), null, '2FA is off');
  });
});

describe('SECURITY 15: the session id is renewed after the code step and after every step-up', () => {
  test('SECURITY 15: the TOTP code step gives a new session id; the id from before it is dead', async () => {
    const org = await createTestOrg(t);
    const user = await createActiveAccount(t, org);
    const setup = await loggedIn(org, user);
    const { app } = await enableTotp(t, setup);

    const browser = await loggedIn(org, user);
    const afterPassword = browser.cookies.get(sessionCookie)!;
    assert.ok(afterPassword, 'a session cookie after the password step');
    assert.equal((await browser.get('/login/code')).statusCode, 200, 'the code page is shown');
    const done = await browser.post('/login/code', { code: app.code(t) });
    assert.equal(done.headers.location, '/', 'the code logs in');
    const afterCode = browser.cookies.get(sessionCookie)!;
    assert.notEqual(afterCode, afterPassword, 'the code step renews the session id');
    assert.equal((await browser.get('/account')).statusCode, 200, 'the new id is logged in');

    const old = browserWithSession(t, org, afterPassword);
    const oldAnswer = await old.get('/account');
    assert.equal(oldAnswer.statusCode, 303, 'the old id gets no account page');
    assert.doesNotMatch(String(oldAnswer.headers.location), /^\/login\/code/, 'the old id is not even half-way logged in');
  });

  test('SECURITY 15: a password change with a code and a password step-up after the 10-minute window each renew the id', async () => {
    const org = await createTestOrg(t);
    const user = await createActiveAccount(t, org);
    const browser = await loggedIn(org, user);
    const { app } = await enableTotp(t, browser);

    const beforeChange = browser.cookies.get(sessionCookie)!;
    await browser.get('/account/password');
    const changed = await browser.post('/account/password', { currentPassword: user.password, password: 'a renewed passphrase', passwordConfirm: 'a renewed passphrase', code: app.code(t) });
    assert.equal(changed.statusCode, 303, `the password change succeeds: ${changed.body.slice(0, 300)}`);
    const afterChange = browser.cookies.get(sessionCookie)!;
    assert.notEqual(afterChange, beforeChange, 'the password change (a step-up) renews the id');
    assert.equal((await browserWithSession(t, org, beforeChange).get('/account')).statusCode, 303, 'the id from before the change is dead');

    t.clock.advanceMinutes(11);
    const page = await browser.get('/account/2fa');
    assert.match(page.body, /name="password"/, 'after 10 minutes the password is asked again');
    const saved = await browser.post('/account/2fa/validity', { validity: '12h', password: 'a renewed passphrase' });
    assert.equal(saved.statusCode, 303, `the step-up succeeds: ${saved.body.slice(0, 300)}`);
    const afterStepUp = browser.cookies.get(sessionCookie)!;
    assert.notEqual(afterStepUp, afterChange, 'the password step-up renews the id');
    assert.equal((await browserWithSession(t, org, afterChange).get('/account')).statusCode, 303, 'the id from before the step-up is dead');
    assert.equal((await browser.get('/account')).statusCode, 200, 'the new id is logged in');
  });
});

describe('SECURITY 8 + 32: failure counts survive a restart', () => {
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

describe('SECURITY 31: 2FA enable and the helpdesk 2FA reset are all or nothing', () => {
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

describe('SECURITY 30: the app API while the database is down', () => {
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
