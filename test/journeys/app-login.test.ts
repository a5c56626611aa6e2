import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { appClient } from '../app-helpers.js';
import { createActiveAccount, createTestApp, createTestOrg, loggedInBrowser, type TestApp } from '../harness.js';
import { enableSms, enableTotp } from '../two-factor-helpers.js';

let t: TestApp;
before(async () => {
  t = await createTestApp();
});
after(async () => t.close());

describe('app login with e-mail and password (SPEC 5)', () => {
  test('device, PIN, access token, /me, logout', async () => {
    const org = await createTestOrg(t);
    const user = await createActiveAccount(t, org, { name: 'App User' });
    const app = appClient(t, org);
    const login = await app.loginWithPassword(user.email, user.password, 'Pixel 9');
    assert.ok(login.ok);
    const value = login.value as { deviceId: string; deviceSecret: string; pinRequired: boolean; account: { id: string; name: string; email: string; role: string } };
    assert.equal(value.pinRequired, true);
    assert.deepEqual(value.account, { id: user.id, name: 'App User', email: user.email, role: 'client' });
    assert.ok(Buffer.from(value.deviceSecret.split('.')[1]!, 'base64url').length * 8 >= 256);
    await t.jobs.runDue();
    assert.match(t.mail.last(user.email).text, /Pixel 9/, 'adding a device mails the user');

    const before = await app.loginWithPin(value.deviceId, value.deviceSecret, '27183');
    assert.equal(before.ok, false, 'until a PIN is set, the device can do nothing but set it');
    for (const [pin, error] of [['1234', 'invalid_pin_format'], ['123456', 'invalid_pin_format'], ['12a45', 'invalid_pin_format'], ['11111', 'weak_pin'], ['12345', 'weak_pin'], ['54321', 'weak_pin'], ['01234', 'weak_pin'], ['98765', 'weak_pin']] as const) {
      const result = await app.setPin(value.deviceId, value.deviceSecret, pin);
      assert.equal(result.ok ? 'ok' : result.error, error, pin);
      assert.equal(result.status, 400);
    }
    assert.equal((await app.setPin(value.deviceId, value.deviceSecret, '27183')).status, 204);
    const again = await app.setPin(value.deviceId, value.deviceSecret, '31415');
    assert.equal(again.ok ? 'ok' : again.error, 'pin_already_set');
    assert.equal(again.status, 409);

    const unlocked = await app.loginWithPin(value.deviceId, value.deviceSecret, '27183');
    assert.ok(unlocked.ok);
    const { accessToken, expiresInSeconds } = unlocked.value as { accessToken: string; expiresInSeconds: number };
    assert.equal(expiresInSeconds, 900);
    const me = await app.me(accessToken);
    assert.ok(me.ok);
    assert.deepEqual(me.value, { id: user.id, name: 'App User', email: user.email, role: 'client', locale: 'en', organization: { slug: org.slug, name: org.name } });
    // A right token is no guess: an app (or a clinic's many apps behind one address) calling the
    // API often, also in parallel, is never throttled for it.
    const parallel = await Promise.all(Array.from({ length: 30 }, () => app.me(accessToken)));
    assert.deepEqual(parallel.map((r) => r.status), Array<number>(30).fill(200), '30 parallel calls with a right token');
    for (let i = 0; i < 25; i++) assert.equal((await app.me(accessToken)).status, 200, `call ${i + 1} of 25 more to /me`);
    assert.equal((await app.logout(accessToken)).status, 204);
    const after = await app.me(accessToken);
    assert.equal(after.ok ? 'ok' : after.error, 'invalid_token');
  });

  test('errors: invalid_credentials for every failure, rate_limited with retryAfterSeconds', async () => {
    const org = await createTestOrg(t);
    const user = await createActiveAccount(t, org);
    const app = appClient(t, org, '203.0.113.77');
    for (const [email, password] of [[user.email, 'wrong password!'], ['nobody@example.org', 'whatever pass!']] as const) {
      const result = await app.loginWithPassword(email, password, 'Phone');
      assert.equal(result.status, 401);
      assert.equal(result.ok ? 'ok' : result.error, 'invalid_credentials');
    }
    for (let i = 0; i < 30; i++) await app.loginWithPassword(`x${i}@example.org`, 'wrong password!', 'Phone');
    const limited = await app.loginWithPassword(user.email, user.password, 'Phone');
    assert.equal(limited.status, 429);
    assert.ok(!limited.ok && limited.error === 'rate_limited' && Number((limited.body as { retryAfterSeconds: number }).retryAfterSeconds) > 0);
  });

  test('with 2FA the app must pass the second factor too, with the same budget', async () => {
    const org = await createTestOrg(t);
    const user = await createActiveAccount(t, org);
    const browser = await loggedInBrowser(t, org, user);
    const { app: authenticator, recoveryCodes } = await enableTotp(t, browser);
    const app = appClient(t, org);
    const first = await app.loginWithPassword(user.email, user.password, 'Phone');
    assert.ok(first.ok);
    const challenge = first.value as { secondFactorRequired: boolean; challengeId: string; methods: string[] };
    assert.equal(challenge.secondFactorRequired, true);
    assert.deepEqual(challenge.methods, ['totp', 'recovery']);
    assert.ok(!('deviceId' in (first.value as object)), 'no device before the code');
    const wrong = await app.loginSecondFactor(challenge.challengeId, { code: '000000' });
    assert.equal(wrong.ok ? 'ok' : wrong.error, 'invalid_code');
    const right = await app.loginSecondFactor(challenge.challengeId, { code: authenticator.code(t) });
    assert.ok(right.ok && 'deviceId' in (right.value as object));
    const reused = await app.loginSecondFactor(challenge.challengeId, { code: authenticator.code(t) });
    assert.equal(reused.ok ? 'ok' : reused.error, 'challenge_expired');

    const second = await app.loginWithPassword(user.email, user.password, 'Tablet');
    const challenge2 = (second.value as { challengeId: string }).challengeId;
    for (let i = 0; i < 4; i++) await app.loginSecondFactor(challenge2, { code: '111111' });
    const ended = await app.loginSecondFactor(challenge2, { code: '111111' });
    assert.equal(ended.ok ? 'ok' : ended.error, 'challenge_expired', 'five wrong codes end the attempt');
    const third = await app.loginWithPassword(user.email, user.password, 'Tablet');
    const viaRecovery = await app.loginSecondFactor((third.value as { challengeId: string }).challengeId, { recoveryCode: recoveryCodes[0]! });
    assert.ok(viaRecovery.ok, 'a recovery code works too');
    assert.equal(viaRecovery.value.recoveryCodesLeft, 5, 'and the answer tells how many are left');
    assert.equal((right.value as { recoveryCodesLeft?: number }).recoveryCodesLeft, undefined, 'not after an authenticator code');

    t.clock.advanceMinutes(6);
    const late = await app.loginSecondFactor(challenge.challengeId, { code: authenticator.code(t) });
    assert.equal(late.ok ? 'ok' : late.error, 'challenge_expired');
  });

  test('an SMS account gets its code when the app login challenge is issued', async () => {
    const org = await createTestOrg(t);
    const user = await createActiveAccount(t, org);
    await enableSms(t, await loggedInBrowser(t, org, user), '+31655554444');
    t.clock.advanceSeconds(61);
    const app = appClient(t, org);
    const first = await app.loginWithPassword(user.email, user.password, 'Phone');
    const challenge = first.value as { challengeId: string; methods: string[] };
    assert.deepEqual(challenge.methods, ['sms', 'recovery']);
    const done = await app.loginSecondFactor(challenge.challengeId, { code: t.sms.lastCode('+31655554444') });
    assert.ok(done.ok, JSON.stringify(done));
  });
});

describe('the app login fails closed', () => {
  test('an account with two-step verification never gets a device without its code, also when its stored facts are odd', async () => {
    const org = await createTestOrg(t);
    const user = await createActiveAccount(t, org);
    await enableTotp(t, await loggedInBrowser(t, org, user));
    // A password change stamped a moment ahead (another instance's clock, a clock stepped back).
    await t.deps.db.query('UPDATE account SET password_changed_at = $3 WHERE tenant_id = $1 AND id = $2', [org.tenantId, user.id, new Date(t.clock.now().getTime() + 2000)]);
    const login = await appClient(t, org).loginWithPassword(user.email, user.password, 'Odd phone');
    assert.equal(login.ok && 'deviceId' in login.value, false, 'no device without the second factor');
    const devices = await t.deps.db.query<{ n: number }>('SELECT count(*)::int AS n FROM app_device WHERE tenant_id = $1', [org.tenantId]);
    assert.equal(devices[0]!.n, 0);
  });
});
