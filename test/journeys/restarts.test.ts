import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { appClient } from '../app-helpers.js';
import { TestBrowser } from '../browser-client.js';
import { createActiveAccount, createTestApp, createTestOrg, hostOf, loggedInBrowser, type TestApp } from '../harness.js';
import { enableTotp } from '../two-factor-helpers.js';

let t: TestApp;
before(async () => {
  t = await createTestApp();
});
after(async () => t.close());

describe('SECURITY 32: a restart keeps what matters', () => {
  test('a new instance on the same database keeps the session, used TOTP steps, used recovery codes and code locks', async () => {
    const org = await createTestOrg(t);
    const user = await createActiveAccount(t, org);
    const browser = await loggedInBrowser(t, org, user);
    const { app, recoveryCodes } = await enableTotp(t, browser);
    const usedCode = app.code(t);
    const first = await loggedInBrowser(t, org, user);
    await first.get('/login/code');
    assert.equal((await first.post('/login/code', { code: usedCode })).statusCode, 303);
    const viaRecovery = await loggedInBrowser(t, org, user);
    await viaRecovery.get('/login/recovery');
    assert.equal((await viaRecovery.post('/login/recovery', { recoveryCode: recoveryCodes[0]! })).statusCode, 303);
    const locked = await createActiveAccount(t, org);
    const { app: lockedApp } = await enableTotp(t, await loggedInBrowser(t, org, locked));
    for (let i = 0; i < 2; i++) {
      const attempt = await loggedInBrowser(t, org, locked);
      await attempt.get('/login/code');
      for (let j = 0; j < 5; j++) await attempt.post('/login/code', { code: '000000' });
    }

    const restarted = await createTestApp({ clockStart: t.clock.now() });
    try {
      const sameSession = new TestBrowser(restarted.app, hostOf(org));
      sameSession.cookies = new Map(first.cookies);
      assert.equal((await sameSession.get('/account')).statusCode, 200, 'the session survives');
      const replay = await loggedInBrowser(restarted, org, user);
      await replay.get('/login/code');
      assert.equal((await replay.post('/login/code', { code: usedCode })).statusCode, 200, 'a used time step stays used');
      await replay.get('/login/recovery');
      assert.equal((await replay.post('/login/recovery', { recoveryCode: recoveryCodes[0]! })).statusCode, 200, 'a used recovery code stays used');
      const lockedAfter = await loggedInBrowser(restarted, org, locked);
      await lockedAfter.get('/login/code');
      assert.equal((await lockedAfter.post('/login/code', { code: lockedApp.code(restarted) })).statusCode, 429, 'the code lock survives');
    } finally {
      await restarted.close();
    }
  });

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
