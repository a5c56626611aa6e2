import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { findAccountById } from '../../src/accounts/accounts.js';
import { performStaffAction } from '../../src/flows/staff/account-actions.js';
import { createAccount } from '../../src/flows/staff/create-account.js';
import { noRequestContext } from '../../src/audit/audit.js';
import { passwordVerificationCount } from '../../src/factors/password/hashing.js';
import { TestBrowser } from '../browser-client.js';
import { createActiveAccount, createTestApp, createTestOrg, hostOf, type TestApp } from '../harness.js';

let t: TestApp;
before(async () => {
  t = await createTestApp();
});
after(async () => t.close());

/** What an attacker compares between two login answers: status, body and headers (cookie values aside). */
function observable(response: { statusCode: number; body: string; headers: Record<string, unknown> }) {
  const headers = { ...response.headers };
  delete headers['x-request-id'];
  delete headers.date;
  // The form echoes the typed address, so the length follows the body, which is compared itself.
  delete headers['content-length'];
  const cookieNames = ([] as string[]).concat((headers['set-cookie'] as string[] | string | undefined) ?? []).map((c) => c.split('=')[0]);
  delete headers['set-cookie'];
  return { status: response.statusCode, body: response.body, headers, cookieNames };
}

describe('SECURITY 1: one answer for every failed login', () => {
  test('unknown, wrong password, locked, deactivated and invited give byte-identical answers', async () => {
    const org = await createTestOrg(t);
    const active = await createActiveAccount(t, org);
    const locked = await createActiveAccount(t, org);
    const deactivated = await createActiveAccount(t, org);
    const admin = await createActiveAccount(t, org, { role: 'admin' });
    const invited = await createAccount(t.deps, org, null, noRequestContext, { email: 'invited@example.org', name: 'I', role: 'client', locale: '' });
    assert.ok(invited.ok);
    await performStaffAction(t.deps, org, admin, noRequestContext, { subjectId: deactivated.id, action: 'deactivate', reason: 'test' });
    const lockBrowser = new TestBrowser(t.app, hostOf(org), { 'x-forwarded-for': '10.9.9.9' });
    for (let i = 0; i < 5; i++) await lockBrowser.login(locked.email, 'wrong password here');

    // One browser session for all attempts, so the CSRF token (bound to the session) is the same.
    const browser = new TestBrowser(t.app, hostOf(org));
    await browser.get('/login');
    const attempt = async (email: string, password: string) => observable(await browser.post('/login', { email, password }));
    const unknown = await attempt('nobody@example.org', 'some password 1!');
    const cases = {
      wrongPassword: await attempt(active.email, 'some password 1!'),
      locked: await attempt(locked.email, locked.password),
      deactivated: await attempt(deactivated.email, deactivated.password),
      invited: await attempt('invited@example.org', 'some password 1!'),
    };
    assert.equal(unknown.status, 200);
    assert.match(unknown.body, /not right, or you cannot log in right now/);
    for (const [name, observed] of Object.entries(cases)) {
      // The form echoes the typed address; put the same one back to compare the rest byte for byte.
      const typed = name === 'wrongPassword' ? active.email : name === 'locked' ? locked.email : name === 'deactivated' ? deactivated.email : 'invited@example.org';
      assert.deepEqual({ ...observed, body: observed.body.replace(typed, 'nobody@example.org') }, unknown, `${name} differs from an unknown address`);
    }
  });

  test('every failed login costs one argon2 verification, whether the address is known or not', async () => {
    const org = await createTestOrg(t);
    const active = await createActiveAccount(t, org);
    const invited = await createAccount(t.deps, org, null, noRequestContext, { email: 'invited-work@example.org', name: 'I', role: 'client', locale: '' });
    assert.ok(invited.ok);
    const browser = new TestBrowser(t.app, hostOf(org));
    await browser.get('/login');
    // Counted, not timed (a timing in a test is noise on a busy machine; `npm run bench` times both).
    // Without the dummy hash an unknown address would cost no argon2 work at all, ~50x faster.
    const workOf = async (email: string) => {
      const before = passwordVerificationCount();
      const response = await browser.post('/login', { email, password: 'not the password 1!' });
      assert.equal(response.statusCode, 200, `the login form again for ${email}`);
      return passwordVerificationCount() - before;
    };
    assert.equal(await workOf('nobody@example.org'), 1, 'an unknown address');
    assert.equal(await workOf('NOBODY+other@Example.org'), 1, 'another unknown address');
    assert.equal(await workOf(active.email), 1, 'a known address with a wrong password');
    assert.equal(await workOf('invited-work@example.org'), 1, 'an invited account without a password');
  });
});

describe('SECURITY 3 and 5: failed passwords are counted per account', () => {
  test('from the 5th failure a growing delay; the right password fails during it; success resets the count', async () => {
    const org = await createTestOrg(t);
    const user = await createActiveAccount(t, org);
    const browser = new TestBrowser(t.app, hostOf(org));
    for (let i = 0; i < 4; i++) await browser.login(user.email, `wrong ${i} password!`);
    // Four failures: no delay yet.
    assert.equal((await browser.login(user.email, user.password)).statusCode, 303);
    await browser.post('/logout', {});
    for (let i = 0; i < 5; i++) await browser.login(user.email, `wrong ${i} password!`);
    const during = await browser.login(user.email, user.password);
    assert.equal(during.statusCode, 200, 'the right password is refused during the delay');
    assert.match(during.body, /not right, or you cannot log in right now/);
    // That attempt counted too: six failures → 60 s delay from the last one.
    t.clock.advanceSeconds(59);
    assert.equal((await browser.login(user.email, user.password)).statusCode, 200, 'still delayed at 59 s (and counted again: now 120 s)');
    t.clock.advanceSeconds(121);
    assert.equal((await browser.login(user.email, user.password)).statusCode, 303, 'allowed after the delay');
    const account = await findAccountById(t.deps.db, org.tenantId, user.id);
    assert.equal(account!.failedLoginCount, 0, 'a success resets the count');
  });

  test('e-mail variants count against the same account (SECURITY 5)', async () => {
    const org = await createTestOrg(t);
    const user = await createActiveAccount(t, org, { email: 'victim@org.example' });
    const browser = new TestBrowser(t.app, hostOf(org));
    for (const variant of ['Victim@Org.example', ' victim@org.example ', 'VICTIM@ORG.EXAMPLE', 'victim@org.example', 'Victim@org.Example']) {
      await browser.login(variant, 'wrong password!!');
    }
    const account = await findAccountById(t.deps.db, org.tenantId, user.id);
    assert.equal(account!.failedLoginCount, 5);
    assert.equal((await browser.login(' Victim@ORG.example', user.password)).statusCode, 200, 'locked for every spelling');
  });

  test('100 parallel wrong passwords are all counted, whatever X-Forwarded-For says', async () => {
    const org = await createTestOrg(t);
    const user = await createActiveAccount(t, org);
    const browser = new TestBrowser(t.app, hostOf(org));
    await browser.get('/login');
    await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        browser.post('/login', { email: user.email, password: `parallel wrong ${i}!` }, { 'x-forwarded-for': `203.0.113.${i % 250}` }, `192.0.2.${i + 1}`),
      ),
    );
    const account = await findAccountById(t.deps.db, org.tenantId, user.id);
    assert.equal(account!.failedLoginCount, 100);
  });

  test('a burst of parallel guesses never gets more than 5 checked: the right password inside it fails', async () => {
    const org = await createTestOrg(t);
    const user = await createActiveAccount(t, org);
    const browser = new TestBrowser(t.app, hostOf(org));
    await browser.get('/login');
    const guesses = Array.from({ length: 40 }, (_, i) => `burst wrong ${i}!`);
    guesses.splice(25, 0, user.password);
    // From 41 different client addresses, so the per-IP budget does not hide the per-account one.
    const results = await Promise.all(guesses.map((password, i) => browser.post('/login', { email: user.email, password }, {}, `198.18.0.${i + 1}`)));
    const rightOne = results[25]!;
    const loggedIn = results.filter((r) => r.statusCode === 303).length;
    const reasons = await t.deps.db.query<{ reason: string }>(
      "SELECT details->>'reason' AS reason FROM audit_event WHERE tenant_id = $1 AND event = 'login_failed' AND subject_account_id = $2",
      [org.tenantId, user.id],
    );
    // Only the first five counted attempts are judged on the password; the rest are locked out.
    const judged = reasons.filter((r) => r.reason === 'wrong_password').length;
    assert.ok(judged <= 5, `${judged} wrong passwords were judged on the hash`);
    assert.ok(loggedIn <= 1, `${loggedIn} logins`);
    if (loggedIn === 1) assert.equal(rightOne.statusCode, 303, 'only if the right one was among the first five');
    assert.equal(reasons.length, 41 - loggedIn, 'every failed guess counted and audited');
  });

  test('after five failures, a parallel burst with the right password cannot log in', async () => {
    const org = await createTestOrg(t);
    const user = await createActiveAccount(t, org);
    const browser = new TestBrowser(t.app, hostOf(org));
    for (let i = 0; i < 5; i++) await browser.login(user.email, `first wrong ${i}!`);
    await browser.get('/login');
    const results = await Promise.all(
      [...Array.from({ length: 20 }, (_, i) => `wrong again ${i}!`), user.password].map((password) => browser.post('/login', { email: user.email, password })),
    );
    assert.ok(results.every((r) => r.statusCode === 200), 'nobody got in');
    assert.equal((await findAccountById(t.deps.db, org.tenantId, user.id))!.failedLoginCount, 26);
  });
});

describe('SECURITY 4: per-IP throttling against credential stuffing', () => {
  test('many failures from one IP throttle that IP only; X-Forwarded-For is ignored without TRUST_PROXY', async () => {
    const org = await createTestOrg(t);
    const victim = await createActiveAccount(t, org);
    const attacker = new TestBrowser(t.app, hostOf(org), { 'x-forwarded-for': '198.51.100.7' });
    await attacker.get('/login');
    for (let i = 0; i < 30; i++) await attacker.post('/login', { email: `user${i}@example.org`, password: 'Password123!' }, { 'x-forwarded-for': `198.51.100.${i}` });
    const blocked = await attacker.post('/login', { email: victim.email, password: victim.password });
    assert.equal(blocked.statusCode, 429, 'the 31st attempt from the same socket address is throttled, however X-Forwarded-For varies');
    assert.ok(Number(blocked.headers['retry-after']) > 0);
    // The victim on another IP logs in fine.
    const other = new TestBrowser(t.app, hostOf(org));
    const ok = await t.app.inject({ method: 'GET', url: '/login', headers: { host: hostOf(org) }, remoteAddress: '192.0.2.55' });
    assert.equal(ok.statusCode, 200);
    await other.get('/login');
    const fromElsewhere = await t.app.inject({
      method: 'POST',
      url: '/login',
      remoteAddress: '192.0.2.55',
      headers: { host: hostOf(org), origin: `http://${hostOf(org)}`, cookie: [...other.cookies].map(([k, v]) => `${k}=${v}`).join('; '), 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ _csrf: other.lastCsrf!, email: victim.email, password: victim.password }).toString(),
    });
    assert.equal(fromElsewhere.statusCode, 303);
  });

  test('a parallel burst from one IP is throttled in full', async () => {
    const org = await createTestOrg(t);
    const browser = new TestBrowser(t.app, hostOf(org));
    await browser.get('/login');
    const results = await Promise.all(Array.from({ length: 60 }, (_, i) => browser.post('/login', { email: `stuffed${i}@example.org`, password: 'Password123!' })));
    assert.ok(results.filter((r) => r.statusCode === 429).length >= 30, 'at most 30 were evaluated');
  });

  test('with TRUST_PROXY=1, the proxy-appended X-Forwarded-For entry names the client; earlier entries are the client’s own and ignored', async () => {
    const proxied = await createTestApp({ config: { TRUST_PROXY: '1', SECRET_KEY: 'k'.repeat(40), SMTP_URL: 'smtp://127.0.0.1:1', SMS_PROVIDER: 'none' } });
    try {
      const org = await createTestOrg(proxied);
      const user = await createActiveAccount(proxied, org);
      const attacker = new TestBrowser(proxied.app, hostOf(org));
      await attacker.get('/login');
      for (let i = 0; i < 30; i++) {
        await attacker.post('/login', { email: `user${i}@example.org`, password: 'Password123!' }, { 'x-forwarded-for': `10.0.${i}.1, 198.51.100.99` });
      }
      attacker.headers['x-forwarded-for'] = '10.9.9.9, 198.51.100.99';
      assert.equal((await attacker.post('/login', { email: user.email, password: user.password })).statusCode, 429);
      const other = new TestBrowser(proxied.app, hostOf(org), { 'x-forwarded-for': '198.51.100.100' });
      assert.equal((await other.login(user.email, user.password)).statusCode, 303, 'another client behind the proxy is not throttled');
    } finally {
      await proxied.close();
    }
  });
});
