import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { findActiveFactor } from '../../src/factors/second-factor/store.js';
import { createActiveAccount, createTestApp, createTestOrg, loggedInBrowser, type TestApp } from '../harness.js';
import { enableSmsAfterLandline, smsPhone } from '../two-factor-helpers.js';

let t: TestApp;
before(async () => {
  t = await createTestApp();
});
after(async () => t.close());

const trustCookie = 'ingang_trust';

describe('SECURITY 11: a login code never does what a confirm code does', () => {
  test('SECURITY 11: a login code cannot turn 2FA off; an expired code is refused', async () => {
    const org = await createTestOrg(t);
    const user = await createActiveAccount(t, org);
    const setup = await loggedInBrowser(t, org, user);
    const recovery = await enableSmsAfterLandline(t, setup);
    t.clock.advanceMinutes(16);
    // An attacker's half-done login gets a login code sent.
    const attacker = await loggedInBrowser(t, org, user);
    await attacker.get('/login/code');
    const loginCode = t.sms.lastCode(smsPhone);
    // The user, fully logged in (with a recovery code, so no second login SMS), asks a code to turn 2FA off.
    const victim = await loggedInBrowser(t, org, user);
    await victim.get('/login/recovery');
    assert.equal((await victim.post('/login/recovery', { recoveryCode: recovery[0] ?? '' })).statusCode, 303);
    t.clock.advanceSeconds(61);
    await victim.get('/account/2fa');
    assert.match((await victim.post('/account/2fa/confirm-code', { returnTo: '/account/2fa' })).headers.location as string, /sms=sent/);
    const confirmCode = t.sms.lastCode(smsPhone);
    await victim.get('/account/2fa');
    const refused = await victim.post('/account/2fa/disable', { password: user.password, code: loginCode });
    assert.equal(refused.statusCode, 400, 'a login code (still valid) does not turn 2FA off');
    assert.match(refused.body, /This code is not right/);
    assert.equal((await victim.post('/account/2fa/disable', { password: user.password, code: confirmCode })).statusCode, 303, 'the code sent for this purpose works');
  });

  test('SECURITY 11: an unused, valid login code of this very session cannot turn 2FA off; a confirm code can', async () => {
    const org = await createTestOrg(t, { policy: { idleMinutes: 10, twoFactorClients: 'optional' } });
    const user = await createActiveAccount(t, org);
    const recovery = await enableSmsAfterLandline(t, await loggedInBrowser(t, org, user));
    t.clock.advanceMinutes(16);

    // Opening the code page sends a login code; the user logs in with a recovery code instead.
    const browser = await loggedInBrowser(t, org, user);
    const sentBefore = t.sms.sent.length;
    await browser.get('/login/code');
    assert.equal(t.sms.sent.length, sentBefore + 1, 'a login code was sent when the code page opened');
    const firstLoginCode = t.sms.lastCode(smsPhone);
    await browser.get('/login/recovery');
    assert.equal((await browser.post('/login/recovery', { recoveryCode: recovery[0]! })).statusCode, 303, 'logged in with a recovery code');
    await browser.get('/account/2fa');
    const refusedFirst = await browser.post('/account/2fa/disable', { password: user.password, code: firstLoginCode });
    assert.equal(refusedFirst.statusCode, 400, 'the unused login code does not turn 2FA off');
    assert.notEqual(await findActiveFactor(t.deps.db, org.tenantId, user.id), null, '2FA is still on');

    // Sharper: a login code sent to this browser (the code asked again after inactivity), and the
    // browser then logged in through its trust, so the code is its newest one.
    const trust = browser.cookies.get(trustCookie);
    assert.ok(trust, 'the browser is trusted after the code step');
    browser.cookies.delete(trustCookie);
    t.clock.advanceMinutes(11);
    assert.match(String((await browser.get('/account')).headers.location), /^\/login\/code/, 'idle without trust: the code is asked again');
    await browser.get('/login/code');
    assert.equal(t.sms.sent.length, sentBefore + 2, 'a second login code was sent, to this session');
    const loginCode = t.sms.lastCode(smsPhone);
    browser.cookies.set(trustCookie, trust);
    // SECURITY 43: the trust skips the code, never the idle limit: the password first, then the same browser is in.
    assert.match(String((await browser.get('/account/2fa')).headers.location), /^\/login\?/, 'with the trust cookie back, the idle session asks the password');
    await browser.get('/login');
    assert.equal((await browser.post('/login', { email: user.email, password: user.password })).statusCode, 303);
    assert.equal((await browser.get('/account/2fa')).statusCode, 200, 'the trusted browser is logged in with the password alone');
    const refused = await browser.post('/account/2fa/disable', { password: user.password, code: loginCode });
    assert.equal(refused.statusCode, 400, 'a valid login code of this session does not turn 2FA off');
    assert.match(refused.body, /This code is not right/, 'the code is refused as not right');
    assert.notEqual(await findActiveFactor(t.deps.db, org.tenantId, user.id), null, '2FA is still on after the login code');

    t.clock.advanceSeconds(61);
    await browser.get('/account/2fa');
    const sent = await browser.post('/account/2fa/confirm-code', { returnTo: '/account/2fa' });
    assert.match(String(sent.headers.location), /sms=sent/, 'a confirm code was sent');
    const confirmCode = t.sms.lastCode(smsPhone);
    await browser.get('/account/2fa?sms=sent');
    const off = await browser.post('/account/2fa/disable', { password: user.password, code: confirmCode });
    assert.equal(off.statusCode, 303, `the code sent for this purpose turns 2FA off: ${off.body.slice(0, 300)}`);
    assert.equal(await findActiveFactor(t.deps.db, org.tenantId, user.id), null, '2FA is off');
  });
});
