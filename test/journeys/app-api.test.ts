import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { IngangAppClient, qrTokenFromUrl } from '../../src/api/client.js';
import { TestBrowser } from '../browser-client.js';
import { createActiveAccount, createTestApp, createTestOrg, hostOf, mailedResetLink, type TestApp } from '../harness.js';
import { injectFetch } from '../inject-fetch.js';
import { enableTotp } from '../two-factor-helpers.js';
import { decodeQrDataUrl, qrImageIn } from '../qr.js';
import { randomBytes } from 'node:crypto';

let t: TestApp;
before(async () => {
  t = await createTestApp();
});
after(async () => t.close());

type Org = Parameters<typeof hostOf>[0];

const randomId = () => randomBytes(16).toString('base64url').slice(0, 22);

function client(org: Org, remoteAddress?: string) {
  return new IngangAppClient({ baseUrl: `http://${hostOf(org)}`, fetch: injectFetch(t.app, { remoteAddress }) });
}

/** Logs in on the web and shows the QR code; returns the token the QR code holds. */
async function qrTokenFor(org: Org, account: { email: string; password: string }): Promise<string> {
  const browser = new TestBrowser(t.app, hostOf(org));
  await browser.login(account.email, account.password);
  await browser.get('/account/app');
  const page = await browser.post('/account/app', {});
  assert.equal(page.statusCode, 200, page.body.slice(0, 300));
  assert.match(page.body, /expires at/);
  // The page shows only the image: the test reads it the way the app does, by decoding the QR code.
  const url = new URL(decodeQrDataUrl(qrImageIn(page.body)));
  assert.equal(`${url.origin}${url.pathname}`, `http://${hostOf(org)}:3000/app/login`);
  return qrTokenFromUrl(url.href)!;
}

async function deviceWithPin(org: Org, account: { email: string; password: string }, pin = '27183') {
  const app = client(org);
  const login = await app.loginWithPassword(account.email, account.password, 'Test phone');
  assert.ok(login.ok && 'deviceId' in login.value, JSON.stringify(login));
  const { deviceId, deviceSecret } = login.value as { deviceId: string; deviceSecret: string };
  assert.equal((await app.setPin(deviceId, deviceSecret, pin)).status, 204);
  return { app, deviceId, deviceSecret, pin };
}

describe('app login with e-mail and password (SPEC 5)', () => {
  test('device, PIN, access token, /me, logout', async () => {
    const org = await createTestOrg(t);
    const user = await createActiveAccount(t, org, { name: 'App User' });
    const app = client(org);
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
    const app = client(org, '203.0.113.77');
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
    const browser = new TestBrowser(t.app, hostOf(org));
    await browser.login(user.email, user.password);
    const { app: authenticator, recoveryCodes } = await enableTotp(t, browser);
    const app = client(org);
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
});

describe('app login with the QR code (SPEC 4.7, 5)', () => {
  test('the QR code logs the app in once; used, expired, other-org and 10,000 random tokens all answer invalid_token', async () => {
    const org = await createTestOrg(t);
    const other = await createTestOrg(t);
    const user = await createActiveAccount(t, org);
    const token = await qrTokenFor(org, user);
    assert.equal((await client(other).loginWithQr(token, 'Phone')).status, 401, 'another org');
    const first = await client(org).loginWithQr(token, 'Phone');
    assert.ok(first.ok && (first.value as { account: { id: string } }).account.id === user.id);
    const reused = await client(org).loginWithQr(token, 'Phone');
    assert.equal(reused.ok ? 'ok' : reused.error, 'invalid_token');

    const expiring = await qrTokenFor(org, user);
    t.clock.advanceSeconds(121);
    assert.equal((await client(org).loginWithQr(expiring, 'Phone')).status, 401, 'expired after 2 minutes');

    const raced = await qrTokenFor(org, user);
    const racers = await Promise.all([client(org).loginWithQr(raced, 'One'), client(org).loginWithQr(raced, 'Two')]);
    assert.deepEqual(racers.map((r) => r.status).sort(), [200, 401], 'two concurrent uses: exactly one wins');

    // 10,000 random tokens from many addresses (in batches of 100, as a bounded load): every one
    // is the same invalid_token.
    const answers = new Map<string, number>();
    for (let batch = 0; batch < 100; batch++) {
      const results = await Promise.all(
        Array.from({ length: 100 }, (_, j) => {
          const i = batch * 100 + j;
          return t.app.inject({
            method: 'POST',
            url: '/api/app/v1/login/qr',
            remoteAddress: `10.${(i >> 8) & 255}.${i & 255}.1`,
            headers: { host: hostOf(org), 'content-type': 'application/json' },
            payload: JSON.stringify({ token: `${randomId()}.${randomId()}${randomId()}`, deviceName: 'x' }),
          });
        }),
      );
      for (const r of results) {
        const key = `${r.statusCode} ${r.body}`;
        answers.set(key, (answers.get(key) ?? 0) + 1);
      }
    }
    assert.deepEqual([...answers], [['401 {"error":"invalid_token"}', 10_000]]);

    // Guessing from one address is throttled.
    const guesser = client(org, '198.51.100.200');
    for (let i = 0; i < 20; i++) await guesser.loginWithQr(`${randomId()}.${randomId()}${randomId()}`, 'x');
    const blocked = await guesser.loginWithQr(`${randomId()}.${randomId()}${randomId()}`, 'x');
    assert.equal(blocked.status, 429);

    // A parallel burst is counted before anything is looked up: exactly the budget of 20 gets an answer.
    const burst = await Promise.all(
      Array.from({ length: 60 }, () => client(org, '198.51.100.201').loginWithQr(`${randomId()}.${randomId()}${randomId()}`, 'x')),
    );
    assert.deepEqual(
      burst.map((r) => r.status).sort(),
      [...Array<number>(20).fill(401), ...Array<number>(40).fill(429)],
      'twenty guesses looked up, forty throttled',
    );

    // Unknown login challenges and unknown access tokens are guesses too, each on the same budget.
    const challengeGuesser = client(org, '198.51.100.202');
    for (let i = 0; i < 20; i++) {
      const miss = await challengeGuesser.loginSecondFactor(`${randomId()}.${randomId()}${randomId()}`, { code: '123456' });
      assert.equal(miss.ok ? 'ok' : miss.error, 'challenge_expired', `unknown challenge ${i + 1}`);
    }
    assert.equal((await challengeGuesser.loginSecondFactor(`${randomId()}.${randomId()}${randomId()}`, { code: '123456' })).status, 429, 'the 21st unknown challenge');
    const tokenGuesser = client(org, '198.51.100.203');
    for (let i = 0; i < 20; i++) {
      const miss = await tokenGuesser.me(`${randomId()}.${randomId()}${randomId()}`);
      assert.equal(miss.ok ? 'ok' : miss.error, 'invalid_token', `unknown access token ${i + 1}`);
    }
    assert.equal((await tokenGuesser.me(`${randomId()}.${randomId()}${randomId()}`)).status, 429, 'the 21st unknown access token');

    const info = await new TestBrowser(t.app, hostOf(org)).get('/app/login');
    assert.match(info.body, /scan the code again from within the app/);
  });
});

describe('PIN (SPEC 5, SECURITY 8)', () => {
  test('5 wrong PINs in a row remove the device; a right PIN resets the count; tokens die with the device', async () => {
    const org = await createTestOrg(t);
    const user = await createActiveAccount(t, org);
    const { app, deviceId, deviceSecret, pin } = await deviceWithPin(org, user);
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
    const { app, deviceId, deviceSecret, pin } = await deviceWithPin(org, user, '58213');
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
    const { app, deviceId, deviceSecret, pin } = await deviceWithPin(org, user);
    const forged = deviceSecret.slice(0, -4) + 'AAAA';
    const noSecret = await app.loginWithPin(deviceId, forged, pin);
    assert.equal(noSecret.status, 401);
    assert.equal(noSecret.ok ? 'ok' : noSecret.error, 'invalid_device');
    const other = await deviceWithPin(org, user);
    assert.equal((await app.loginWithPin(other.deviceId, deviceSecret, pin)).ok, false, 'one device’s secret does not open another');
    assert.equal((await app.resetPin(deviceId, forged)).status, 401);
    assert.equal((await app.resetPin(deviceId, deviceSecret)).status, 204);
    const gone = await app.loginWithPin(deviceId, deviceSecret, pin);
    assert.equal(gone.ok ? 'ok' : gone.error, 'device_revoked');
  });

  test('removing a device on /account/devices ends its tokens at once', async () => {
    const org = await createTestOrg(t);
    const user = await createActiveAccount(t, org);
    const { app, deviceId, deviceSecret, pin } = await deviceWithPin(org, user);
    const token = ((await app.loginWithPin(deviceId, deviceSecret, pin)).value as { accessToken: string }).accessToken;
    const browser = new TestBrowser(t.app, hostOf(org));
    await browser.login(user.email, user.password);
    const page = await browser.get('/account/devices');
    assert.match(page.body, /Test phone/);
    assert.equal((await browser.post(`/account/devices/${deviceId}/remove`, {})).headers.location, '/account/devices?removed=1');
    const me = await app.me(token);
    assert.equal(me.ok ? 'ok' : me.error, 'invalid_token');
  });
});

describe('API input (SECURITY 24)', () => {
  test('malformed JSON, wrong types, NUL and oversize bodies get clear JSON errors, never a 500', async () => {
    const org = await createTestOrg(t);
    const cases: [string, string, number, string][] = [
      ['{"email":', 'application/json', 400, 'invalid_request'],
      ['{"email":["a"],"password":"x","deviceName":"d"}', 'application/json', 400, 'invalid_request'],
      ['{"email":"a\\u0000b","password":"x","deviceName":"d"}', 'application/json', 400, 'invalid_request'],
      ['[]', 'application/json', 400, 'invalid_request'],
      [JSON.stringify({ email: 'a'.repeat(70_000), password: 'x', deviceName: 'd' }), 'application/json', 413, 'payload_too_large'],
    ];
    for (const [payload, type, status, error] of cases) {
      const response = await t.app.inject({ method: 'POST', url: '/api/app/v1/login/password', headers: { host: hostOf(org), 'content-type': type }, payload });
      assert.equal(response.statusCode, status, payload.slice(0, 40));
      assert.equal(JSON.parse(response.body).error, error);
    }
    const doc = await t.app.inject({ method: 'GET', url: '/api/app/v1/openapi.json', headers: { host: hostOf(org) } });
    assert.equal(doc.statusCode, 200);
    assert.ok(JSON.parse(doc.body).paths['/login/pin']);
  });
});

describe('app review fixes', () => {
  test('malformed device ids get invalid_device, never a 500', async () => {
    const org = await createTestOrg(t);
    const app = client(org, '192.0.2.210');
    for (const deviceId of ['0'.repeat(36), '-'.repeat(36), 'aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaa-', 'not-a-uuid']) {
      const secret = `${'A'.repeat(22)}.${'A'.repeat(43)}`;
      for (const result of [await app.setPin(deviceId, secret, '27183'), await app.loginWithPin(deviceId, secret, '27183'), await app.resetPin(deviceId, secret)]) {
        assert.ok(result.status === 401 || result.status === 429, `${deviceId}: ${result.status}`);
      }
    }
  });

  test('an SMS account gets its code when the app login challenge is issued', async () => {
    const org = await createTestOrg(t);
    const user = await createActiveAccount(t, org);
    const browser = new TestBrowser(t.app, hostOf(org));
    await browser.login(user.email, user.password);
    await browser.get('/account/2fa/setup');
    await browser.post('/account/2fa/setup', { method: 'sms', phone: '+31655554444' });
    await browser.get('/account/2fa/setup/sms');
    await browser.post('/account/2fa/setup/sms', { code: t.sms.lastCode('+31655554444') });
    await browser.get('/account/2fa/recovery-codes');
    await browser.post('/account/2fa/recovery-codes', { stored: 'yes' });
    t.clock.advanceSeconds(61);
    const app = client(org);
    const first = await app.loginWithPassword(user.email, user.password, 'Phone');
    const challenge = first.value as { challengeId: string; methods: string[] };
    assert.deepEqual(challenge.methods, ['sms', 'recovery']);
    const done = await app.loginSecondFactor(challenge.challengeId, { code: t.sms.lastCode('+31655554444') });
    assert.ok(done.ok, JSON.stringify(done));
  });

  test('the activity page shows the user’s own events, and no staff addresses', async () => {
    const org = await createTestOrg(t);
    const user = await createActiveAccount(t, org);
    const helpdesk = await createActiveAccount(t, org, { role: 'helpdesk' });
    const staff = new TestBrowser(t.app, hostOf(org));
    await t.app.inject({ method: 'GET', url: '/login', headers: { host: hostOf(org) } });
    await staff.login(helpdesk.email, helpdesk.password);
    await staff.get(`/staff/accounts/${user.id}`);
    await t.app.inject({
      method: 'POST',
      url: `/staff/accounts/${user.id}/action`,
      remoteAddress: '10.99.88.77',
      headers: { host: hostOf(org), origin: `http://${hostOf(org)}`, cookie: [...staff.cookies].map(([k, v]) => `${k}=${v}`).join('; '), 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ _csrf: staff.lastCsrf!, action: 'send_reset', reason: 'asked by phone' }).toString(),
    });
    const browser = new TestBrowser(t.app, hostOf(org));
    await browser.login(user.email, user.password);
    const page = await browser.get('/account/activity');
    assert.match(page.body, /password reset sent by staff/);
    assert.match(page.body, /by a staff member/);
    assert.doesNotMatch(page.body, /10\.99\.88\.77/);
    const staffPage = await staff.get('/account/activity');
    assert.doesNotMatch(staffPage.body, /password reset sent by staff/, 'staff see their own security events, not their work on others');
  });

  test('a password reset voids a QR code on screen; deactivation ends app tokens', async () => {
    const org = await createTestOrg(t);
    const user = await createActiveAccount(t, org);
    const token = await qrTokenFor(org, user);
    const reset = new TestBrowser(t.app, hostOf(org));
    const link = await mailedResetLink(t, reset, user.email);
    await reset.get(link);
    assert.equal((await reset.post(link, { password: 'fresh reset phrase', passwordConfirm: 'fresh reset phrase' })).statusCode, 303);
    assert.equal((await client(org).loginWithQr(token, 'Phone')).status, 401, 'the QR code shown before the reset no longer works');

    const member = await createActiveAccount(t, org);
    const { app, deviceId, deviceSecret, pin } = await deviceWithPin(org, member);
    const accessToken = ((await app.loginWithPin(deviceId, deviceSecret, pin)).value as { accessToken: string }).accessToken;
    const admin = await createActiveAccount(t, org, { role: 'admin' });
    const staff = new TestBrowser(t.app, hostOf(org));
    await staff.login(admin.email, admin.password);
    await staff.get(`/staff/accounts/${member.id}`);
    assert.equal((await staff.post(`/staff/accounts/${member.id}/action`, { action: 'deactivate', reason: 'left' })).statusCode, 303);
    const me = await app.me(accessToken);
    assert.equal(me.ok ? 'ok' : me.error, 'invalid_token');
  });

  test('/account/app asks the password (and code) once the last check is older than 10 minutes', async () => {
    const org = await createTestOrg(t);
    const user = await createActiveAccount(t, org);
    const browser = new TestBrowser(t.app, hostOf(org));
    await browser.login(user.email, user.password);
    t.clock.advanceMinutes(11);
    const page = await browser.get('/account/app');
    assert.match(page.body, /name="password"/);
    const direct = await browser.post('/account/app', {});
    assert.equal(direct.statusCode, 400, 'posting without the password shows no QR code');
    assert.doesNotMatch(direct.body, /<img class="qr"/);
    const ok = await browser.post('/account/app', { password: user.password });
    assert.match(ok.body, /<img class="qr"/);
  });

  test('the API takes JSON only, in valid UTF-8; guessing device secrets on /pin/reset is throttled', async () => {
    const org = await createTestOrg(t);
    const user = await createActiveAccount(t, org);
    const form = await t.app.inject({ method: 'POST', url: '/api/app/v1/login/password', headers: { host: hostOf(org), 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams({ email: user.email, password: user.password, deviceName: 'x' }).toString() });
    assert.equal(form.statusCode, 415, 'a cross-site form post cannot use the API');
    const bad = await t.app.inject({ method: 'POST', url: '/api/app/v1/login/password', headers: { host: hostOf(org), 'content-type': 'application/json' }, payload: Buffer.concat([Buffer.from('{"email":"'), Buffer.from([0xc3, 0x28]), Buffer.from('","password":"x","deviceName":"d"}')]) });
    assert.equal(bad.statusCode, 400);
    assert.equal(JSON.parse(bad.body).error, 'invalid_request');
    const guesser = client(org, '192.0.2.99');
    let last = 0;
    for (let i = 0; i < 21; i++) last = (await guesser.resetPin('11111111-2222-3333-4444-555555555555', `${'B'.repeat(22)}.${'B'.repeat(43)}`)).status;
    assert.equal(last, 429);
  });
});
