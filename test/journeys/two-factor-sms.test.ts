import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { SqlParam } from '../../src/db/db.js';
import { findActiveFactor } from '../../src/factors/second-factor/store.js';
import { hasFreshSmsCode, issueSmsCode, settleSentSmsCode, verifySmsCode, type SmsPurpose } from '../../src/factors/sms-code/store.js';
import { TestBrowser } from '../browser-client.js';
import { createActiveAccount, createTestApp, createTestOrg, hostOf, type TestApp, loggedInBrowser } from '../harness.js';

let t: TestApp;
before(async () => {
  t = await createTestApp();
});
after(async () => t.close());

const phone = '+31612345678';
const trustCookie = 'ingang_trust';

const loggedIn = (org: Parameters<typeof hostOf>[0], account: { email: string; password: string }) => loggedInBrowser(t, org, account);

/** Sets up SMS as the second factor through the pages (a number without country code is refused first); returns the recovery codes. */
async function enableSms(browser: TestBrowser): Promise<string[]> {
  await browser.get('/account/2fa/setup');
  const bad = await browser.post('/account/2fa/setup', { method: 'sms', phone: '0612345678' });
  assert.match(bad.body, /valid mobile number with country code/, 'a number without country code is refused');
  const chosen = await browser.post('/account/2fa/setup', { method: 'sms', phone: '+31 6 1234 5678' });
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

/** A client of a new org with SMS set up, a minute later (so a new code may be sent): where most tests here start. */
async function accountWithSms() {
  const org = await createTestOrg(t);
  const user = await createActiveAccount(t, org);
  await enableSms(await loggedIn(org, user));
  t.clock.advanceSeconds(61);
  return { org, user };
}

/** The SMS code store of one session of a new account, for the steps a send is made of: issue, then settle once the provider took it. */
async function codeStore(purpose: SmsPurpose) {
  const org = await createTestOrg(t);
  const user = await createActiveAccount(t, org);
  const scope = { tenantId: org.tenantId, accountId: user.id, sessionId: `session-${purpose}`, purpose };
  return {
    scope,
    async issue() {
      const issued = await t.deps.db.transaction((tx) => issueSmsCode(tx, t.deps, { ...scope, phone }));
      assert.ok(issued.ok, 'within the send limits');
      return issued;
    },
    settle: (issued: { codeId: string }) => settleSentSmsCode(t.deps.db, { ...scope, codeId: issued.codeId }, t.clock.now()),
    verify: (code: string) => verifySmsCode(t.deps.db, { ...scope, phone }, code, t.clock.now()),
  };
}

describe('SMS (SPEC 4.5)', () => {
  test('setup with a validated number; at login the code is sent when the page opens, once per validity', async () => {
    const { org, user } = await accountWithSms();
    const before = t.sms.sent.length;
    const browser = await loggedIn(org, user);
    await browser.get('/login/code');
    assert.equal(t.sms.sent.length, before + 1, 'sent on opening the page');
    assert.match(t.sms.sent.at(-1)!.message, new RegExp(org.name));
    await browser.get('/login/code');
    assert.equal(t.sms.sent.length, before + 1, 'a reload does not send another');
    assert.equal((await browser.post('/login/code', { code: t.sms.lastCode(phone) })).statusCode, 303);
  });

  test('resend waits 60 s and allows 3 per 15 minutes; a resend never resets the failure count', async () => {
    const { org, user } = await accountWithSms();
    const browser = await loggedIn(org, user);
    await browser.get('/login/code');
    const tooSoon = await browser.post('/login/code/resend', {});
    assert.match(tooSoon.body, /new code in \d+ seconds/);
    for (let i = 0; i < 4; i++) await browser.post('/login/code', { code: '000000' });
    t.clock.advanceSeconds(61);
    const resent = await browser.post('/login/code/resend', {});
    assert.match(resent.body, /A new code has been sent|Too many codes/);
    const fifth = await browser.post('/login/code', { code: '000000' });
    assert.equal(fifth.headers.location, '/login?codeAttemptEnded=1', 'the resend did not give new tries');
    // The limit of 3 per 15 minutes (setup sent one, login two already).
    const later = await loggedIn(org, user);
    t.clock.advanceSeconds(61);
    const page = await later.get('/login/code');
    assert.match(page.body, /Too many codes were sent/);
  });

  test('SECURITY 11: a login code cannot turn 2FA off; an expired code is refused', async () => {
    const org = await createTestOrg(t);
    const user = await createActiveAccount(t, org);
    const setup = await loggedIn(org, user);
    const recovery = await enableSms(setup);
    t.clock.advanceMinutes(16);
    // An attacker's half-done login gets a login code sent.
    const attacker = await loggedIn(org, user);
    await attacker.get('/login/code');
    const loginCode = t.sms.lastCode(phone);
    // The user, fully logged in (with a recovery code, so no second login SMS), asks a code to turn 2FA off.
    const victim = await loggedIn(org, user);
    await victim.get('/login/recovery');
    assert.equal((await victim.post('/login/recovery', { recoveryCode: recovery[0] ?? '' })).statusCode, 303);
    t.clock.advanceSeconds(61);
    await victim.get('/account/2fa');
    assert.match((await victim.post('/account/2fa/confirm-code', { returnTo: '/account/2fa' })).headers.location as string, /sms=sent/);
    const confirmCode = t.sms.lastCode(phone);
    await victim.get('/account/2fa');
    const refused = await victim.post('/account/2fa/disable', { password: user.password, code: loginCode });
    assert.equal(refused.statusCode, 400, 'a login code (still valid) does not turn 2FA off');
    assert.match(refused.body, /This code is not right/);
    assert.equal((await victim.post('/account/2fa/disable', { password: user.password, code: confirmCode })).statusCode, 303, 'the code sent for this purpose works');
  });

  test('SECURITY 11: two parallel posts of one login code log in once; the code never works again in a later login', async () => {
    const { org, user } = await accountWithSms();
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
    const [successes] = await t.deps.db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM audit_event WHERE tenant_id = $1 AND event = 'login_succeeded' AND details->>'step' = 'second_factor'",
      [org.tenantId],
    );
    assert.equal(successes!.n, 1, 'one code, one completed login');

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

  test('an SMS code expires after 5 minutes', async () => {
    const { org, user } = await accountWithSms();
    const browser = await loggedIn(org, user);
    await browser.get('/login/code');
    const code = t.sms.lastCode(phone);
    t.clock.advanceSeconds(5 * 60 + 1);
    assert.equal((await browser.post('/login/code', { code })).statusCode, 200, 'refused after 5 minutes');
  });

  test('SECURITY 33: the SMS provider is down: the user is told, nothing is counted', async () => {
    const { org, user } = await accountWithSms();
    t.sms.failing = true;
    const browser = await loggedIn(org, user);
    const page = await browser.get('/login/code');
    assert.match(page.body, /could not be sent/);
    const counted = await t.deps.db.query<{ n: number }>('SELECT count(*)::int AS n FROM sms_code WHERE tenant_id = $1', [org.tenantId]);
    t.sms.failing = false;
    const retry = await browser.get('/login/code');
    assert.doesNotMatch(retry.body, /could not be sent|Too many/);
    assert.equal(counted[0]!.n, 1, 'only the setup code exists: the failed send left no code behind');
    assert.equal((await browser.post('/login/code', { code: t.sms.lastCode(phone) })).statusCode, 303);
  });

  test('SECURITY 33: a resend the provider refuses leaves the code sent before it working', async () => {
    const { org, user } = await accountWithSms();
    const browser = await loggedIn(org, user);
    await browser.get('/login/code');
    const firstCode = t.sms.lastCode(phone);
    t.clock.advanceSeconds(61);
    t.sms.failing = true;
    const resend = await browser.post('/login/code/resend', {});
    t.sms.failing = false;
    assert.match(resend.body, /could not be sent/);
    assert.equal((await browser.post('/login/code', { code: firstCode })).headers.location, '/', 'the first code still logs in');
  });

  // With the provider called inside a transaction this test hangs (PGlite) or waits on the row lock
  // (PostgreSQL) until the timeout ends it: the timeout turns that hang into a failure.
  test('a slow SMS provider holds no lock: other logins, of this account too, go on meanwhile', { timeout: 30_000 }, async () => {
    const { org, user } = await accountWithSms();
    const other = await createTestOrg(t);
    const browser = await loggedIn(org, user);
    const provider = t.sms.hold();
    const waiting = browser.get('/login/code');
    try {
      await provider.entered;
      // While the provider has not answered: another org's page, and a password attempt on this
      // very account (which locks its row), both answer.
      assert.equal((await new TestBrowser(t.app, hostOf(other)).get('/login')).statusCode, 200);
      const elsewhere = new TestBrowser(t.app, hostOf(org));
      assert.equal((await elsewhere.login(user.email, 'not the password 1!')).statusCode, 200, 'a wrong password is answered');
    } finally {
      provider.release();
    }
    const page = await waiting;
    assert.doesNotMatch(page.body, /could not be sent/);
    assert.equal((await browser.post('/login/code', { code: t.sms.lastCode(phone) })).headers.location, '/');
  });

  test('while a resend is still on its way, the code the user already has keeps working', { timeout: 30_000 }, async () => {
    const { org, user } = await accountWithSms();
    const browser = await loggedIn(org, user);
    await browser.get('/login/code');
    const first = t.sms.lastCode(phone);
    t.clock.advanceSeconds(61);
    const provider = t.sms.hold();
    const resending = browser.post('/login/code/resend', {});
    let login;
    try {
      await provider.entered;
      login = await browser.post('/login/code', { code: first });
    } finally {
      provider.release();
    }
    await resending;
    assert.equal(login.headers.location, '/', 'the first code logged in while the second was being sent');
  });

  test('a sent code voids the unused ones before it for good: using the newer one never revives an older one', async () => {
    const codes = await codeStore('confirm');
    const sendCode = async (settle: boolean) => {
      const issued = await codes.issue();
      if (settle) await codes.settle(issued);
      t.clock.advanceSeconds(61);
      return issued.code;
    };
    const older = await sendCode(true);
    const newer = await sendCode(true);
    const unsent = await sendCode(false);
    assert.equal(await codes.verify(unsent), false, 'a code the provider has not taken yet is not the one checked');
    assert.equal(await codes.verify(newer), true, 'the newest sent code works');
    assert.equal(await codes.verify(older), false, 'the older code stays void after the newer one is used');
  });

  test('a send that settles late never voids a newer code; a send lost in a crash does not stop the next one', async () => {
    const codes = await codeStore('login');
    const slow = await codes.issue();
    t.clock.advanceSeconds(61);
    assert.equal(await hasFreshSmsCode(t.deps.db, codes.scope, t.clock.now()), false, 'a code still unsent after a minute (a crash mid-send) does not stop a new send');
    const fast = await codes.issue();
    await codes.settle(fast);
    await codes.settle(slow);
    assert.equal(await codes.verify(fast.code), true, 'the newer code survived the late settle of the older one');
  });
});
