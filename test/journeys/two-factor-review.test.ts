import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { findActiveFactor } from '../../src/factors/second-factor/store.js';
import { createActiveAccount, createTestApp, createTestOrg, hostOf, type TestApp, loggedInBrowser } from '../harness.js';
import { enableTotp, TestAuthenticator } from '../two-factor-helpers.js';

let t: TestApp;
before(async () => {
  t = await createTestApp();
});
after(async () => t.close());

type Org = Parameters<typeof hostOf>[0];

const loggedIn = (org: Parameters<typeof hostOf>[0], account: { email: string; password: string }) => loggedInBrowser(t, org, account);

describe('setup races and SMS number binding', () => {
  test('a double "confirm" keeps the new factor active', async () => {
    const org = await createTestOrg(t);
    const user = await createActiveAccount(t, org);
    const browser = await loggedIn(org, user);
    await browser.get('/account/2fa/setup');
    await browser.post('/account/2fa/setup', { method: 'totp', phone: '' });
    const page = await browser.get('/account/2fa/setup/totp');
    const secret = /<code class="secret">([A-Z2-7 ]+)<\/code>/.exec(page.body)![1]!.replace(/ /g, '');
    const code = new TestAuthenticator(secret).code(t);
    const results = await Promise.all([browser.post('/account/2fa/setup/totp', { code }), browser.post('/account/2fa/setup/totp', { code })]);
    assert.ok(results.some((r) => r.headers.location === '/account/2fa/recovery-codes'));
    assert.notEqual(await findActiveFactor(t.deps.db, org.tenantId, user.id), null, 'the factor is still active');
  });

  test('a code sent to one number never confirms another; an unsent number changes nothing', async () => {
    const org = await createTestOrg(t);
    const user = await createActiveAccount(t, org);
    const browser = await loggedIn(org, user);
    await browser.get('/account/2fa/setup');
    await browser.post('/account/2fa/setup', { method: 'sms', phone: '+31612345678' });
    const firstCode = t.sms.lastCode('+31612345678');
    const tooSoon = await browser.post('/account/2fa/setup', { method: 'sms', phone: '+31687654321' });
    assert.match(tooSoon.body, /new code in \d+ seconds/);
    await browser.get('/account/2fa/setup/sms');
    assert.equal((await browser.post('/account/2fa/setup/sms', { code: firstCode })).headers.location, '/account/2fa/recovery-codes');
    assert.equal((await findActiveFactor(t.deps.db, org.tenantId, user.id))!.phone, '+31612345678', 'the number that got the code');
    await browser.get('/account/2fa/recovery-codes');
    await browser.post('/account/2fa/recovery-codes', { stored: 'yes' });

    t.clock.advanceSeconds(61);
    await browser.get('/account/2fa/setup');
    assert.equal((await browser.post('/account/2fa/setup', { method: 'sms', phone: '+31687654321' })).headers.location, '/account/2fa/setup/sms');
    await browser.get('/account/2fa/setup/sms');
    const stale = await browser.post('/account/2fa/setup/sms', { code: firstCode });
    assert.equal(stale.statusCode, 200, 'the old number’s code does not confirm the new number');
    assert.equal((await findActiveFactor(t.deps.db, org.tenantId, user.id))!.phone, '+31612345678', 'the old factor stays until the new one is confirmed');
  });
});

describe('step-ups for SMS users', () => {
  test('an SMS user changes the password with a code sent on request, and stays logged in after', async () => {
    const org = await createTestOrg(t);
    const user = await createActiveAccount(t, org);
    const browser = await loggedIn(org, user);
    await browser.get('/account/2fa/setup');
    await browser.post('/account/2fa/setup', { method: 'sms', phone: '+31611112222' });
    await browser.get('/account/2fa/setup/sms');
    await browser.post('/account/2fa/setup/sms', { code: t.sms.lastCode('+31611112222') });
    await browser.get('/account/2fa/recovery-codes');
    await browser.post('/account/2fa/recovery-codes', { stored: 'yes' });
    t.clock.advanceSeconds(61);
    const page = await browser.get('/account/password');
    assert.match(page.body, /action="\/account\/2fa\/confirm-code"/);
    const sent = await browser.post('/account/2fa/confirm-code', { returnTo: '/account/password' });
    assert.equal(sent.headers.location, '/account/password?sms=sent');
    await browser.get('/account/password?sms=sent');
    const changed = await browser.post('/account/password', { currentPassword: user.password, password: 'sms user new phrase', passwordConfirm: 'sms user new phrase', code: t.sms.lastCode('+31611112222') });
    assert.equal(changed.statusCode, 303);
    assert.equal((await browser.get('/account')).statusCode, 200, 'the change proved password and code: no code asked again');
  });
});

describe('trust never outlives the org maximum', () => {
  test('a sliding hour ends at maxCodeValidityDays; with 0 no browser is trusted', async () => {
    const org = await createTestOrg(t, { policy: { maxCodeValidityDays: 1, idleMinutes: 60 } });
    const user = await createActiveAccount(t, org);
    const browser = await loggedIn(org, user);
    const { app } = await enableTotp(t, browser);
    await browser.get('/');
    await browser.post('/logout', {});
    await browser.login(user.email, user.password);
    await browser.get('/login/code');
    assert.equal((await browser.post('/login/code', { code: app.code(t) })).statusCode, 303);
    for (let i = 0; i < 30; i++) {
      t.clock.advanceMinutes(50);
      await browser.get('/account');
    }
    await browser.post('/logout', {});
    const again = await browser.login(user.email, user.password);
    assert.match(String(again.headers.location), /^\/login\/code/, 'after a day the code is asked, however active');

    const strict = await createTestOrg(t, { policy: { maxCodeValidityDays: 0 } });
    const member = await createActiveAccount(t, strict);
    const memberBrowser = await loggedIn(strict, member);
    const { app: memberApp } = await enableTotp(t, memberBrowser);
    await memberBrowser.get('/');
    await memberBrowser.post('/logout', {});
    await memberBrowser.login(member.email, member.password);
    await memberBrowser.get('/login/code');
    await memberBrowser.post('/login/code', { code: memberApp.code(t) });
    await memberBrowser.get('/');
    await memberBrowser.post('/logout', {});
    assert.match(String((await memberBrowser.login(member.email, member.password)).headers.location), /^\/login\/code/);
  });
});

describe('the code lockout escalates (NIST SP 800-63B 5.2.2)', () => {
  test('every 10 wrong codes lock 15 minutes; after 100 in a row only a staff reset opens it', async () => {
    const org = await createTestOrg(t);
    const user = await createActiveAccount(t, org);
    const helpdesk = await createActiveAccount(t, org, { role: 'helpdesk' });
    const { app } = await enableTotp(t, await loggedIn(org, user));
    let lastStatus = 0;
    for (let attempt = 0; attempt < 20; attempt++) {
      const browser = await loggedIn(org, user);
      await browser.get('/login/code');
      for (let i = 0; i < 5; i++) lastStatus = (await browser.post('/login/code', { code: '000000' })).statusCode;
      if ((attempt + 1) % 2 === 0) t.clock.advanceMinutes(16);
    }
    assert.equal(lastStatus, 303, 'the hundredth wrong code ends its attempt');
    const blocked = await loggedIn(org, user);
    await blocked.get('/login/code');
    const refused = await blocked.post('/login/code', { code: app.code(t) });
    assert.equal(refused.statusCode, 429);
    assert.match(refused.body, /Contact the helpdesk/);
    t.clock.advanceMinutes(60);
    await blocked.get('/login/code');
    assert.equal((await blocked.post('/login/code', { code: app.code(t) })).statusCode, 429, 'time does not open it');
    const staff = await loggedIn(org, helpdesk);
    await staff.get(`/staff/accounts/${user.id}`);
    assert.equal((await staff.post(`/staff/accounts/${user.id}/action`, { action: 'reset_two_factor', reason: 'locked out, identity checked' })).statusCode, 303);
    const after = await loggedIn(org, user);
    assert.equal((await after.get('/account')).statusCode, 200, 'after the reset the password logs in (2FA optional here)');
  });
});

describe('another account on the same browser', () => {
  test('recovery codes waiting for one account never reach the next account’s login', async () => {
    const org = await createTestOrg(t);
    const first = await createActiveAccount(t, org);
    const second = await createActiveAccount(t, org);
    const browser = await loggedIn(org, first);
    await browser.get('/account/2fa/setup');
    await browser.post('/account/2fa/setup', { method: 'totp', phone: '' });
    const page = await browser.get('/account/2fa/setup/totp');
    const secret = /<code class="secret">([A-Z2-7 ]+)<\/code>/.exec(page.body)![1]!.replace(/ /g, '');
    await browser.post('/account/2fa/setup/totp', { code: new TestAuthenticator(secret).code(t) });
    await browser.get('/login');
    await browser.post('/login', { email: second.email, password: second.password });
    const home = await browser.get('/');
    assert.equal(home.statusCode, 200, 'the second account is not sent to the first one’s codes');
  });
});
