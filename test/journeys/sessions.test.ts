import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { findAccountById } from '../../src/accounts/accounts.js';
import { noRequestContext } from '../../src/audit/audit.js';
import { performStaffAction } from '../../src/flows/staff/account-actions.js';
import { TestBrowser } from '../browser-client.js';
import { createActiveAccount, createTestApp, createTestOrg, hostOf, loggedInBrowser, type TestApp } from '../harness.js';
import { enableTotp } from '../two-factor-helpers.js';

let t: TestApp;
before(async () => {
  t = await createTestApp();
});
after(async () => t.close());

type Org = Parameters<typeof hostOf>[0];

const sessionCookieOf = (browser: TestBrowser) => browser.cookies.get('ingang_session');

const loggedIn = (org: Org, account: { email: string; password: string }) => loggedInBrowser(t, org, account);

/** A browser that holds only this cookie value as its session. */
function browserWithSession(org: Org, cookieValue: string): TestBrowser {
  const browser = new TestBrowser(t.app, hostOf(org));
  browser.cookies.set('ingang_session', cookieValue);
  return browser;
}

describe('SECURITY 15: session ids', () => {
  test('the id has ≥128 random bits and is replaced after the password step', async () => {
    const org = await createTestOrg(t);
    const user = await createActiveAccount(t, org);
    const browser = new TestBrowser(t.app, hostOf(org));
    await browser.get('/login');
    const before = sessionCookieOf(browser)!;
    const [id, secret] = before.split('.');
    assert.ok(Buffer.from(secret!, 'base64url').length * 8 >= 256 && Buffer.from(id!, 'base64url').length * 8 >= 128);
    await browser.post('/login', { email: user.email, password: user.password });
    const afterLogin = sessionCookieOf(browser)!;
    assert.notEqual(afterLogin, before);
    // The pre-login id is dead now.
    const old = new TestBrowser(t.app, hostOf(org));
    old.cookies.set('ingang_session', before);
    assert.equal((await old.get('/')).statusCode, 303);
  });

  test('a session id planted before login never becomes authenticated (fixation)', async () => {
    const org = await createTestOrg(t);
    const victim = await createActiveAccount(t, org);
    const attacker = new TestBrowser(t.app, hostOf(org));
    await attacker.get('/login');
    const planted = sessionCookieOf(attacker)!;
    const victimBrowser = new TestBrowser(t.app, hostOf(org));
    victimBrowser.cookies.set('ingang_session', planted);
    await victimBrowser.get('/login');
    assert.equal((await victimBrowser.post('/login', { email: victim.email, password: victim.password })).statusCode, 303);
    assert.equal((await victimBrowser.get('/')).statusCode, 200);
    assert.equal((await attacker.get('/')).statusCode, 303, 'the planted id still grants nothing');
    // An id the client invents is ignored and replaced.
    const inventor = new TestBrowser(t.app, hostOf(org));
    inventor.cookies.set('ingang_session', 'AAAAAAAAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA');
    await inventor.get('/login');
    assert.notEqual(sessionCookieOf(inventor), 'AAAAAAAAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA');
  });

  test('SECURITY 15: the TOTP code step gives a new session id; the id from before it is dead', async () => {
    const org = await createTestOrg(t);
    const user = await createActiveAccount(t, org);
    const setup = await loggedIn(org, user);
    const { app } = await enableTotp(t, setup);

    const browser = await loggedIn(org, user);
    const afterPassword = sessionCookieOf(browser)!;
    assert.ok(afterPassword, 'a session cookie after the password step');
    assert.equal((await browser.get('/login/code')).statusCode, 200, 'the code page is shown');
    const done = await browser.post('/login/code', { code: app.code(t) });
    assert.equal(done.headers.location, '/', 'the code logs in');
    const afterCode = sessionCookieOf(browser)!;
    assert.notEqual(afterCode, afterPassword, 'the code step renews the session id');
    assert.equal((await browser.get('/account')).statusCode, 200, 'the new id is logged in');

    const old = browserWithSession(org, afterPassword);
    const oldAnswer = await old.get('/account');
    assert.equal(oldAnswer.statusCode, 303, 'the old id gets no account page');
    assert.doesNotMatch(String(oldAnswer.headers.location), /^\/login\/code/, 'the old id is not even half-way logged in');
  });

  test('SECURITY 15: a password change with a code and a password step-up after the 10-minute window each renew the id', async () => {
    const org = await createTestOrg(t);
    const user = await createActiveAccount(t, org);
    const browser = await loggedIn(org, user);
    const { app } = await enableTotp(t, browser);

    const beforeChange = sessionCookieOf(browser)!;
    await browser.get('/account/password');
    const changed = await browser.post('/account/password', { currentPassword: user.password, password: 'a renewed passphrase', passwordConfirm: 'a renewed passphrase', code: app.code(t) });
    assert.equal(changed.statusCode, 303, `the password change succeeds: ${changed.body.slice(0, 300)}`);
    const afterChange = sessionCookieOf(browser)!;
    assert.notEqual(afterChange, beforeChange, 'the password change (a step-up) renews the id');
    assert.equal((await browserWithSession(org, beforeChange).get('/account')).statusCode, 303, 'the id from before the change is dead');

    t.clock.advanceMinutes(11);
    const page = await browser.get('/account/2fa');
    assert.match(page.body, /name="password"/, 'after 10 minutes the password is asked again');
    const saved = await browser.post('/account/2fa/validity', { validity: '12h', password: 'a renewed passphrase' });
    assert.equal(saved.statusCode, 303, `the step-up succeeds: ${saved.body.slice(0, 300)}`);
    const afterStepUp = sessionCookieOf(browser)!;
    assert.notEqual(afterStepUp, afterChange, 'the password step-up renews the id');
    assert.equal((await browserWithSession(org, afterChange).get('/account')).statusCode, 303, 'the id from before the step-up is dead');
    assert.equal((await browser.get('/account')).statusCode, 200, 'the new id is logged in');
  });
});

describe('SECURITY 16: idle and absolute limits on the server', () => {
  test('after idleMinutes the password is asked again, with the address kept; then work goes on', async () => {
    const org = await createTestOrg(t, { policy: { idleMinutes: 30 } });
    const user = await createActiveAccount(t, org);
    const browser = await loggedIn(org, user);
    t.clock.advanceMinutes(29);
    assert.equal((await browser.get('/account')).statusCode, 200);
    t.clock.advanceMinutes(30);
    const idle = await browser.get('/account');
    assert.equal(idle.statusCode, 303);
    assert.equal(idle.headers.location, '/login?returnTo=%2Faccount');
    const login = await browser.get('/login?returnTo=%2Faccount');
    assert.match(login.body, /inactive for a while/);
    assert.ok(login.body.includes(`value="${user.email}"`));
    // Asking again (a GET) did not count as activity: still idle.
    t.clock.advanceMinutes(5);
    assert.equal((await browser.get('/account')).statusCode, 303);
    await browser.get('/login');
    const again = await browser.post('/login', { email: user.email, password: user.password, returnTo: '/account' });
    assert.equal(again.headers.location, '/account');
    assert.equal((await browser.get('/account')).statusCode, 200);
  });

  test('after absoluteHours the session ends, however active', async () => {
    const org = await createTestOrg(t, { policy: { absoluteHours: 2, idleMinutes: 60 } });
    const user = await createActiveAccount(t, org);
    const browser = await loggedIn(org, user);
    for (let i = 0; i < 4; i++) {
      t.clock.advanceMinutes(29);
      assert.equal((await browser.get('/account')).statusCode, 200);
    }
    t.clock.advanceMinutes(5);
    const ended = await browser.get('/account');
    assert.equal(ended.statusCode, 303);
    assert.equal(sessionCookieOf(browser), undefined, 'the cookie is cleared');
  });
});

describe('SECURITY 17: what ends sessions', () => {
  test('logout: the old cookie gets the login page', async () => {
    const org = await createTestOrg(t);
    const user = await createActiveAccount(t, org);
    const browser = await loggedIn(org, user);
    const cookie = sessionCookieOf(browser)!;
    await browser.get('/');
    await browser.post('/logout', {});
    const replay = new TestBrowser(t.app, hostOf(org));
    replay.cookies.set('ingang_session', cookie);
    assert.equal((await replay.get('/account')).statusCode, 303);
  });

  test('deactivation by the helpdesk ends every session at once', async () => {
    const org = await createTestOrg(t);
    const user = await createActiveAccount(t, org);
    const helpdesk = await createActiveAccount(t, org, { role: 'helpdesk' });
    const browser = await loggedIn(org, user);
    await performStaffAction(t.deps, org, helpdesk, noRequestContext, { subjectId: user.id, action: 'deactivate', reason: 'left the practice' });
    assert.equal((await browser.get('/account')).statusCode, 303);
    assert.equal((await browser.login(user.email, user.password)).statusCode, 200, 'and cannot log in');
  });

  test('a password change ends the other sessions but keeps this one', async () => {
    const org = await createTestOrg(t);
    const user = await createActiveAccount(t, org);
    const here = await loggedIn(org, user);
    const there = await loggedIn(org, user);
    await here.get('/account/password');
    const changed = await here.post('/account/password', { currentPassword: user.password, password: 'brand new passphrase', passwordConfirm: 'brand new passphrase' });
    assert.equal(changed.statusCode, 303);
    assert.equal((await here.get('/account')).statusCode, 200);
    assert.equal((await there.get('/account')).statusCode, 303);
  });
});

describe('SECURITY 18: cookies', () => {
  test('over HTTPS: __Host- prefix, Secure, HttpOnly, SameSite=Lax, Path=/, no Domain', async () => {
    const https = await createTestApp({ config: { PUBLIC_SCHEME: 'https', SECRET_KEY: 'a test key that is long enough for sure', SMTP_URL: 'smtp://127.0.0.1:1', SMS_PROVIDER: 'none' } });
    try {
      const org = await createTestOrg(https);
      const response = await https.app.inject({ method: 'GET', url: '/login', headers: { host: hostOf(org) } });
      const cookie = ([] as string[]).concat(response.headers['set-cookie'] ?? []).find((c) => c.includes('ingang_session'))!;
      assert.match(cookie, /^__Host-ingang_session=/);
      for (const attribute of ['Secure', 'HttpOnly', 'SameSite=Lax', 'Path=/']) assert.ok(cookie.split('; ').includes(attribute), `${attribute} in ${cookie}`);
      assert.doesNotMatch(cookie, /Domain=/i);
      assert.match(String(response.headers['strict-transport-security']), /max-age=(\d+)/);
      assert.ok(Number(/max-age=(\d+)/.exec(String(response.headers['strict-transport-security']))![1]) >= 31536000);
    } finally {
      await https.close();
    }
  });

  test('over plain-HTTP development: no prefix and no Secure, the rest the same', async () => {
    const org = await createTestOrg(t);
    const response = await t.app.inject({ method: 'GET', url: '/login', headers: { host: hostOf(org) } });
    const cookie = ([] as string[]).concat(response.headers['set-cookie'] ?? []).find((c) => c.includes('ingang_session'))!;
    assert.match(cookie, /^ingang_session=/);
    assert.doesNotMatch(cookie, /Secure/);
    assert.match(cookie, /HttpOnly/);
    assert.equal(response.headers['strict-transport-security'], undefined);
  });

  test("org A's session cookie is never accepted by org B", async () => {
    const orgA = await createTestOrg(t);
    const orgB = await createTestOrg(t);
    const user = await createActiveAccount(t, orgA, { email: 'same@example.org' });
    await createActiveAccount(t, orgB, { email: 'same@example.org' });
    const browserA = await loggedIn(orgA, user);
    const stolen = new TestBrowser(t.app, hostOf(orgB));
    stolen.cookies.set('ingang_session', sessionCookieOf(browserA)!);
    assert.equal((await stolen.get('/account')).statusCode, 303);
  });
});

describe('SECURITY 19: nothing before authentication', () => {
  test('account and staff pages give no account data without a full login', async () => {
    const org = await createTestOrg(t);
    const admin = await createActiveAccount(t, org, { role: 'admin', name: 'Secret Admin Name' });
    const browser = new TestBrowser(t.app, hostOf(org));
    await browser.get('/login');
    for (const path of ['/', '/account', '/account/password']) {
      const response = await browser.get(path);
      assert.equal(response.statusCode, 303, path);
      assert.doesNotMatch(response.body, /Secret Admin Name/);
    }
    for (const path of ['/staff/accounts', `/staff/accounts/${admin.id}`, '/admin/audit', '/admin/audit.csv']) {
      const response = await browser.get(path);
      assert.equal(response.statusCode, 404, path);
      assert.doesNotMatch(response.body, /Secret Admin Name/);
    }
  });
});
