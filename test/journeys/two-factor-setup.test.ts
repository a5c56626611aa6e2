import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { factorPhone, findActiveFactor } from '../../src/factors/second-factor/store.js';
import { createActiveAccount, createTestApp, createTestOrg, loggedInBrowser, type TestApp } from '../harness.js';
import { enableTotp, TestAuthenticator } from '../two-factor-helpers.js';

let t: TestApp;
before(async () => {
  t = await createTestApp();
});
after(async () => t.close());

describe('setup races', () => {
  test('a double "confirm" keeps the new factor active', async () => {
    const org = await createTestOrg(t);
    const user = await createActiveAccount(t, org);
    const browser = await loggedInBrowser(t, org, user);
    await browser.get('/account/2fa/setup');
    await browser.post('/account/2fa/setup', { method: 'totp', phone: '' });
    const page = await browser.get('/account/2fa/setup/totp');
    const secret = /<code class="secret">([A-Z2-7 ]+)<\/code>/.exec(page.body)![1]!.replace(/ /g, '');
    const code = new TestAuthenticator(secret).code(t);
    const results = await Promise.all([browser.post('/account/2fa/setup/totp', { code }), browser.post('/account/2fa/setup/totp', { code })]);
    assert.ok(results.some((r) => r.headers.location === '/account/2fa/recovery-codes'));
    assert.notEqual(await findActiveFactor(t.deps.db, org.tenantId, user.id), null, 'the factor is still active');
  });
});

describe('an SMS code confirms only the number it was sent to', () => {
  test('a code sent to one number never confirms another; an unsent number changes nothing', async () => {
    const org = await createTestOrg(t);
    const user = await createActiveAccount(t, org);
    const browser = await loggedInBrowser(t, org, user);
    await browser.get('/account/2fa/setup');
    await browser.post('/account/2fa/setup', { method: 'sms', phone: '+31612345678' });
    const firstCode = t.sms.lastCode('+31612345678');
    const tooSoon = await browser.post('/account/2fa/setup', { method: 'sms', phone: '+31687654321' });
    assert.match(tooSoon.body, /new code in \d+ seconds/);
    await browser.get('/account/2fa/setup/sms');
    assert.equal((await browser.post('/account/2fa/setup/sms', { code: firstCode })).headers.location, '/account/2fa/recovery-codes');
    assert.equal(factorPhone(t.deps.config.secretKey, (await findActiveFactor(t.deps.db, org.tenantId, user.id))!), '+31612345678', 'the number that got the code');
    await browser.get('/account/2fa/recovery-codes');
    await browser.post('/account/2fa/recovery-codes', { stored: 'yes' });

    // Replacing the number in force asks the password and a code sent to the old number (SECURITY 41).
    t.clock.advanceSeconds(61);
    await browser.get('/account/2fa/setup');
    await browser.post('/account/2fa/confirm-code', { returnTo: '/account/2fa/setup' });
    const confirmCode = t.sms.lastCode('+31612345678');
    t.clock.advanceSeconds(61);
    await browser.get('/account/2fa/setup');
    assert.equal((await browser.post('/account/2fa/setup', { method: 'sms', phone: '+31687654321', password: user.password, code: confirmCode })).headers.location, '/account/2fa/setup/sms');
    await browser.get('/account/2fa/setup/sms');
    const stale = await browser.post('/account/2fa/setup/sms', { code: firstCode });
    assert.equal(stale.statusCode, 200, 'the old number’s code does not confirm the new number');
    assert.equal(factorPhone(t.deps.config.secretKey, (await findActiveFactor(t.deps.db, org.tenantId, user.id))!), '+31612345678', 'the old factor stays until the new one is confirmed');
  });
});

describe('another account on the same browser', () => {
  test('recovery codes waiting for one account never reach the next account’s login', async () => {
    const org = await createTestOrg(t);
    const first = await createActiveAccount(t, org);
    const second = await createActiveAccount(t, org);
    const browser = await loggedInBrowser(t, org, first);
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

describe('SECURITY 41: replacing a factor in force needs a code from it', () => {
  test('right after a (phished) login, a new authenticator without the current code is refused; with it, or a recovery code, it works', async () => {
    const org = await createTestOrg(t);
    const user = await createActiveAccount(t, org);
    const { app: victimApp, recoveryCodes } = await enableTotp(t, await loggedInBrowser(t, org, user));
    // The attacker has the password and one code, and a session that is fresh.
    const attacker = await loggedInBrowser(t, org, user);
    await attacker.get('/login/code');
    await attacker.post('/login/code', { code: victimApp.code(t) });
    const form = await attacker.get('/account/2fa/setup');
    assert.match(form.body, /name="code"/, 'the setup form asks a code of the factor in force');
    const refused = await attacker.post('/account/2fa/setup', { method: 'totp', phone: '', password: user.password });
    assert.equal(refused.statusCode, 200);
    assert.match(refused.body, /This code is not right/);
    const pending = await t.deps.db.query<{ n: number }>("SELECT count(*)::int AS n FROM second_factor WHERE tenant_id = $1 AND status = 'pending'", [org.tenantId]);
    assert.equal(pending[0]!.n, 0, 'no new factor was even started');

    t.clock.advanceSeconds(30);
    const withCode = await attacker.post('/account/2fa/setup', { method: 'totp', phone: '', password: user.password, code: victimApp.code(t) });
    assert.equal(withCode.headers.location, '/account/2fa/setup/totp', 'the owner, with a code of the old factor, may replace it');
    const owner = await loggedInBrowser(t, org, user);
    await owner.get('/login/recovery');
    t.clock.advanceSeconds(30);
    await owner.post('/login/recovery', { recoveryCode: recoveryCodes[0]! });
    await owner.get('/account/2fa/setup');
    const withRecovery = await owner.post('/account/2fa/setup', { method: 'totp', phone: '', password: user.password, recoveryCode: recoveryCodes[1]! });
    assert.equal(withRecovery.headers.location, '/account/2fa/setup/totp', 'a recovery code serves instead of the lost factor');
  });

  test('after a staff reset, with no factor in force, the password alone sets one up', async () => {
    const org = await createTestOrg(t);
    const user = await createActiveAccount(t, org);
    await enableTotp(t, await loggedInBrowser(t, org, user));
    const admin = await createActiveAccount(t, org, { role: 'admin' });
    const staff = await loggedInBrowser(t, org, admin);
    await staff.get(`/staff/accounts/${user.id}`);
    assert.equal((await staff.post(`/staff/accounts/${user.id}/action`, { action: 'reset_two_factor', confirm: 'yes', reason: 'lost phone, checked by phone' })).statusCode, 303);
    const browser = await loggedInBrowser(t, org, user);
    const form = await browser.get('/account/2fa/setup');
    assert.doesNotMatch(form.body, /name="code"/);
    t.clock.advanceMinutes(11);
    await browser.get('/account/2fa/setup');
    assert.equal((await browser.post('/account/2fa/setup', { method: 'totp', phone: '', password: user.password })).headers.location, '/account/2fa/setup/totp');
  });
});
