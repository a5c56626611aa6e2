import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { appClient, qrCodeShown, qrTokenFor, randomId } from '../app-helpers.js';
import { TestBrowser } from '../browser-client.js';
import { createActiveAccount, createTestApp, createTestOrg, hostOf, loggedInBrowser, type TestApp } from '../harness.js';

let t: TestApp;
before(async () => {
  t = await createTestApp();
});
after(async () => t.close());

describe('app login with the QR code (SPEC 4.7, 5)', () => {
  test('the QR code logs the app in once; used, expired, other-org and 10,000 random tokens all answer invalid_token', async () => {
    const org = await createTestOrg(t);
    const other = await createTestOrg(t);
    const user = await createActiveAccount(t, org);
    const token = await qrTokenFor(t, org, user);
    assert.equal((await appClient(t, other).loginWithQr(token, 'Phone')).status, 401, 'another org');
    const first = await appClient(t, org).loginWithQr(token, 'Phone');
    assert.ok(first.ok && (first.value as { account: { id: string } }).account.id === user.id);
    const reused = await appClient(t, org).loginWithQr(token, 'Phone');
    assert.equal(reused.ok ? 'ok' : reused.error, 'invalid_token');

    const expiring = await qrTokenFor(t, org, user);
    t.clock.advanceSeconds(121);
    assert.equal((await appClient(t, org).loginWithQr(expiring, 'Phone')).status, 401, 'expired after 2 minutes');

    const raced = await qrTokenFor(t, org, user);
    const racers = await Promise.all([appClient(t, org).loginWithQr(raced, 'One'), appClient(t, org).loginWithQr(raced, 'Two')]);
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
    const guesser = appClient(t, org, '198.51.100.200');
    for (let i = 0; i < 20; i++) await guesser.loginWithQr(`${randomId()}.${randomId()}${randomId()}`, 'x');
    const blocked = await guesser.loginWithQr(`${randomId()}.${randomId()}${randomId()}`, 'x');
    assert.equal(blocked.status, 429);

    // A parallel burst is counted before anything is looked up: exactly the budget of 20 gets an answer.
    const burst = await Promise.all(
      Array.from({ length: 60 }, () => appClient(t, org, '198.51.100.201').loginWithQr(`${randomId()}.${randomId()}${randomId()}`, 'x')),
    );
    assert.deepEqual(
      burst.map((r) => r.status).sort(),
      [...Array<number>(20).fill(401), ...Array<number>(40).fill(429)],
      'twenty guesses looked up, forty throttled',
    );

    // Unknown login challenges and unknown access tokens are guesses too, each on the same budget.
    const challengeGuesser = appClient(t, org, '198.51.100.202');
    for (let i = 0; i < 20; i++) {
      const miss = await challengeGuesser.loginSecondFactor(`${randomId()}.${randomId()}${randomId()}`, { code: '123456' });
      assert.equal(miss.ok ? 'ok' : miss.error, 'challenge_expired', `unknown challenge ${i + 1}`);
    }
    assert.equal((await challengeGuesser.loginSecondFactor(`${randomId()}.${randomId()}${randomId()}`, { code: '123456' })).status, 429, 'the 21st unknown challenge');
    const tokenGuesser = appClient(t, org, '198.51.100.203');
    for (let i = 0; i < 20; i++) {
      const miss = await tokenGuesser.me(`${randomId()}.${randomId()}${randomId()}`);
      assert.equal(miss.ok ? 'ok' : miss.error, 'invalid_token', `unknown access token ${i + 1}`);
    }
    assert.equal((await tokenGuesser.me(`${randomId()}.${randomId()}${randomId()}`)).status, 429, 'the 21st unknown access token');

    const info = await new TestBrowser(t.app, hostOf(org)).get('/app/login');
    assert.match(info.body, /scan the code again from within the app/);
  });
});

describe('the QR code page asks the password again (SPEC 4.5)', () => {
  test('/account/app asks the password (and code) once the last check is older than 10 minutes', async () => {
    const org = await createTestOrg(t);
    const user = await createActiveAccount(t, org);
    const browser = await loggedInBrowser(t, org, user);
    t.clock.advanceMinutes(11);
    const page = await browser.get('/account/app');
    assert.match(page.body, /name="password"/);
    const direct = await browser.post('/account/app', {});
    assert.equal(direct.statusCode, 400, 'posting without the password shows no QR code');
    assert.doesNotMatch(direct.body, /<img class="qr"/);
    const ok = await browser.post('/account/app', { password: user.password });
    assert.match(ok.body, /<img class="qr"/);
  });
});

describe('SECURITY 42: a QR code belongs to the login that showed it', () => {
  test('a QR code shown before logout no longer links an app afterwards', async () => {
    const org = await createTestOrg(t);
    const user = await createActiveAccount(t, org);
    const { token, browser } = await qrCodeShown(t, org, user);
    await browser.post('/logout', {});
    assert.equal((await appClient(t, org).loginWithQr(token, 'Phone')).status, 401);
  });

  test('another account logging in on that browser ends it; a step-up in the same login does not', async () => {
    const org = await createTestOrg(t);
    const user = await createActiveAccount(t, org);
    const other = await createActiveAccount(t, org);
    const kept = await qrCodeShown(t, org, user);
    // Within the code's 2 minutes, the login's proof goes stale and a step-up gives the session a new id.
    t.clock.advanceSeconds(50);
    const minutesAgo = (n: number) => new Date(t.clock.now().getTime() - n * 60_000);
    await t.deps.db.query('UPDATE account SET password_changed_at = $3 WHERE tenant_id = $1 AND id = $2', [org.tenantId, user.id, minutesAgo(60)]);
    await t.deps.db.query('UPDATE web_session SET password_verified_at = $3 WHERE tenant_id = $1 AND account_id = $2', [org.tenantId, user.id, minutesAgo(11)]);
    await kept.browser.get('/account/2fa/setup');
    const stepUp = await kept.browser.post('/account/2fa/setup', { method: 'totp', phone: '', password: user.password });
    assert.equal(stepUp.headers.location, '/account/2fa/setup/totp');
    assert.ok(stepUp.headers['set-cookie'], 'the step-up gave the session a new id');
    assert.equal((await appClient(t, org).loginWithQr(kept.token, 'Phone')).status, 200, 'a new session id within the same login keeps the code');

    const ended = await qrCodeShown(t, org, user);
    await ended.browser.post('/logout', {});
    await ended.browser.login(other.email, other.password);
    assert.equal((await appClient(t, org).loginWithQr(ended.token, 'Phone')).status, 401);
  });
});
