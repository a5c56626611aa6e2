import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { appClient, deviceWithPin, qrTokenFor } from '../app-helpers.js';
import { TestBrowser } from '../browser-client.js';
import { createActiveAccount, createTestApp, createTestOrg, hostOf, loggedInBrowser, mailedResetLink, type TestApp } from '../harness.js';
import { enableTotp } from '../two-factor-helpers.js';

let t: TestApp;
before(async () => {
  t = await createTestApp();
});
after(async () => t.close());

describe('PIN (SPEC 5, SECURITY 8)', () => {
  test('5 wrong PINs in a row remove the device; a right PIN resets the count; tokens die with the device', async () => {
    const org = await createTestOrg(t);
    const user = await createActiveAccount(t, org);
    const { app, deviceId, deviceSecret, pin } = await deviceWithPin(t, org, user);
    const token = ((await app.loginWithPin(deviceId, deviceSecret, pin)).value as { accessToken: string }).accessToken;
    for (let left = 4; left >= 1; left--) {
      const wrong = await app.loginWithPin(deviceId, deviceSecret, '90210');
      assert.equal(wrong.status, 401);
      assert.equal(wrong.ok ? 'ok' : wrong.error, 'invalid_pin');
      assert.equal((wrong.body as { attemptsLeft: number }).attemptsLeft, left);
    }
    assert.ok((await app.loginWithPin(deviceId, deviceSecret, pin)).ok, 'the right PIN resets the count');
    for (let i = 0; i < 4; i++) await app.loginWithPin(deviceId, deviceSecret, '90210');
    const fifth = await app.loginWithPin(deviceId, deviceSecret, '90210');
    assert.equal(fifth.ok ? 'ok' : fifth.error, 'device_revoked');
    assert.equal((await app.loginWithPin(deviceId, deviceSecret, pin)).ok ? 'ok' : 'revoked', 'revoked');
    const me = await app.me(token);
    assert.equal(me.ok ? 'ok' : me.error, 'invalid_token', 'the device’s tokens ended with it');
    const audited = await t.deps.db.query<{ event: string }>("SELECT event FROM audit_event WHERE tenant_id = $1 AND event IN ('pin_failed', 'app_device_removed') ORDER BY id", [org.tenantId]);
    assert.deepEqual(
      audited.map((row) => row.event),
      [...Array<string>(9).fill('pin_failed'), 'app_device_removed'],
      'every wrong PIN is audited, the fifth in a row too, and then the removal',
    );
  });

  test('parallel wrong PINs never get more than 5 checks', async () => {
    const org = await createTestOrg(t);
    const user = await createActiveAccount(t, org);
    const { app, deviceId, deviceSecret, pin } = await deviceWithPin(t, org, user, '58213');
    const results = await Promise.all(Array.from({ length: 30 }, (_, i) => app.loginWithPin(deviceId, deviceSecret, String(10000 + i * 7))));
    const checked = results.filter((r) => !r.ok && r.error === 'invalid_pin').length;
    assert.ok(checked <= 4, `${checked} invalid_pin answers`);
    assert.equal((await app.loginWithPin(deviceId, deviceSecret, pin)).ok, false, 'the device is gone');
    const removed = await t.deps.db.query<{ n: number }>("SELECT count(*)::int AS n FROM audit_event WHERE tenant_id = $1 AND event = 'app_device_removed'", [org.tenantId]);
    assert.equal(removed[0]!.n, 1, 'one removal, one audit row');
  });

  test('a PIN never works without its device secret; pin/reset removes the device', async () => {
    const org = await createTestOrg(t);
    const user = await createActiveAccount(t, org);
    const { app, deviceId, deviceSecret, pin } = await deviceWithPin(t, org, user);
    const forged = deviceSecret.slice(0, -4) + 'AAAA';
    const noSecret = await app.loginWithPin(deviceId, forged, pin);
    assert.equal(noSecret.status, 401);
    assert.equal(noSecret.ok ? 'ok' : noSecret.error, 'invalid_device');
    const other = await deviceWithPin(t, org, user);
    assert.equal((await app.loginWithPin(other.deviceId, deviceSecret, pin)).ok, false, 'one device’s secret does not open another');
    assert.equal((await app.resetPin(deviceId, forged)).status, 401);
    assert.equal((await app.resetPin(deviceId, deviceSecret)).status, 204);
    const gone = await app.loginWithPin(deviceId, deviceSecret, pin);
    assert.equal(gone.ok ? 'ok' : gone.error, 'device_revoked');
  });

  test('removing a device on /account/devices ends its tokens at once', async () => {
    const org = await createTestOrg(t);
    const user = await createActiveAccount(t, org);
    const { app, deviceId, deviceSecret, pin } = await deviceWithPin(t, org, user);
    const token = ((await app.loginWithPin(deviceId, deviceSecret, pin)).value as { accessToken: string }).accessToken;
    const browser = await loggedInBrowser(t, org, user);
    const page = await browser.get('/account/devices');
    assert.match(page.body, /Test phone/);
    assert.equal((await browser.post(`/account/devices/${deviceId}/remove`, {})).headers.location, '/account/devices?removed=1');
    const me = await app.me(token);
    assert.equal(me.ok ? 'ok' : me.error, 'invalid_token');
  });
});

describe('a password reset or a deactivation ends app access', () => {
  test('a password reset voids a QR code on screen; deactivation ends app tokens', async () => {
    const org = await createTestOrg(t);
    const user = await createActiveAccount(t, org);
    const token = await qrTokenFor(t, org, user);
    const reset = new TestBrowser(t.app, hostOf(org));
    const link = await mailedResetLink(t, reset, user.email);
    await reset.get(link);
    assert.equal((await reset.post(link, { password: 'fresh reset phrase', passwordConfirm: 'fresh reset phrase' })).statusCode, 303);
    assert.equal((await appClient(t, org).loginWithQr(token, 'Phone')).status, 401, 'the QR code shown before the reset no longer works');

    const member = await createActiveAccount(t, org);
    const { app, deviceId, deviceSecret, pin } = await deviceWithPin(t, org, member);
    const accessToken = ((await app.loginWithPin(deviceId, deviceSecret, pin)).value as { accessToken: string }).accessToken;
    const admin = await createActiveAccount(t, org, { role: 'admin' });
    const staff = await loggedInBrowser(t, org, admin);
    await staff.get(`/staff/accounts/${member.id}`);
    assert.equal((await staff.post(`/staff/accounts/${member.id}/action`, { action: 'deactivate', confirm: 'yes', reason: 'left' })).statusCode, 303);
    const me = await app.me(accessToken);
    assert.equal(me.ok ? 'ok' : me.error, 'invalid_token');
  });
});

describe('SECURITY 42: a password change ends what the old password could have started', () => {
  test('a reset link asked before it, a QR code on screen, app devices, their tokens and an app login waiting for its code', async () => {
    const org = await createTestOrg(t);
    const user = await createActiveAccount(t, org);
    const { app, deviceId, deviceSecret, pin } = await deviceWithPin(t, org, user);
    const accessToken = ((await app.loginWithPin(deviceId, deviceSecret, pin)).value as { accessToken: string }).accessToken;
    const qr = await qrTokenFor(t, org, user);
    const asker = new TestBrowser(t.app, hostOf(org));
    const link = await mailedResetLink(t, asker, user.email);

    const browser = await loggedInBrowser(t, org, user);
    await browser.get('/account/password');
    const changed = await browser.post('/account/password', { currentPassword: user.password, password: 'a changed long phrase', passwordConfirm: 'a changed long phrase' });
    assert.equal(changed.headers.location, '/account?passwordChanged=1');
    assert.equal((await browser.get('/account')).statusCode, 200, 'this session goes on');

    assert.equal((await asker.get(link)).statusCode, 404, 'the reset link asked before the change is void');
    assert.equal((await asker.post(link, { password: 'the attackers phrase', passwordConfirm: 'the attackers phrase' })).statusCode, 404);
    assert.equal((await new TestBrowser(t.app, hostOf(org)).login(user.email, 'the attackers phrase')).statusCode, 200, 'the password did not change');
    assert.equal((await appClient(t, org).loginWithQr(qr, 'Phone')).status, 401, 'the QR code shown before is void');
    const me = await app.me(accessToken);
    assert.equal(me.ok ? 'ok' : me.error, 'invalid_token', 'the app device and its tokens ended');
    assert.equal((await app.loginWithPin(deviceId, deviceSecret, pin)).ok, false);
  });

  test('an app login waiting for its code no longer completes after the change', async () => {
    const org = await createTestOrg(t);
    const user = await createActiveAccount(t, org);
    const browser = await loggedInBrowser(t, org, user);
    const { app: authenticator } = await enableTotp(t, browser);
    const pending = await appClient(t, org).loginWithPassword(user.email, user.password, 'Thief phone');
    const challengeId = (pending.value as { challengeId: string }).challengeId;
    await browser.get('/account/password');
    const changed = await browser.post('/account/password', { currentPassword: user.password, password: 'a changed long phrase', passwordConfirm: 'a changed long phrase', code: authenticator.code(t) });
    assert.equal(changed.headers.location, '/account?passwordChanged=1');
    t.clock.advanceSeconds(30);
    const late = await appClient(t, org).loginSecondFactor(challengeId, { code: authenticator.code(t) });
    assert.equal(late.ok ? 'device' : late.error, 'challenge_expired');
  });
});
