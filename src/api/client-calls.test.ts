// The typed client's calls (SPEC 5): the request each one sends, and how it reads the answer.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { IngangAppClient, isSecondFactorChallenge, type AccessToken, type ApiFailure, type ApiResult, type DeviceLogin, type Me, type SecondFactorChallenge } from './client.js';
import { FakeServer, assertFailure, deviceLogin, jsonBodyOf, me, type Equals } from './fake-api-server.test-support.js';

describe('IngangAppClient', () => {
  const server = new FakeServer();
  let client: IngangAppClient;

  before(() => server.start());
  after(() => server.stop());
  beforeEach(() => {
    server.reset();
    client = new IngangAppClient({ baseUrl: server.origin });
  });

  it('links a device with a QR token: POST /api/app/v1/login/qr with a JSON body', async () => {
    server.answer({ status: 200, body: deviceLogin });
    const result = await client.loginWithQr('tok.en', 'iPhone of Anna');
    const request = server.only();
    assert.equal(request.method, 'POST');
    assert.equal(request.path, '/api/app/v1/login/qr');
    assert.deepEqual(jsonBodyOf(request), { token: 'tok.en', deviceName: 'iPhone of Anna' });
    assert.equal(request.headers.authorization, undefined, 'no access token on a login');
    assert.match(String(request.headers.accept), /application\/json/);

    assert.ok(result.ok);
    const typed: { status: 200; value: DeviceLogin } = result;
    assert.equal(typed.status, 200);
    assert.deepEqual(result.value, deviceLogin);
    const pinRequired: true = result.value.pinRequired;
    assert.equal(pinRequired, true);
  });

  it('answers 401 invalid_token as a failure, without throwing', async () => {
    server.answer({ status: 401, body: { error: 'invalid_token' } });
    const failure = assertFailure(await client.loginWithQr('used', 'Phone'));
    assert.deepEqual(failure, { ok: false, status: 401, error: 'invalid_token', body: { error: 'invalid_token' } });
  });

  it('logs in with e-mail and password, and narrows a second-factor challenge', async () => {
    const challenge: SecondFactorChallenge = { secondFactorRequired: true, challengeId: 'ch_1', methods: ['totp', 'recovery'] };
    server.answer({ status: 200, body: challenge }, { status: 200, body: deviceLogin });

    const first = await client.loginWithPassword('anna@example.org', 'correct horse battery staple', 'Pixel');
    assert.deepEqual(jsonBodyOf(server.requests[0]!), { email: 'anna@example.org', password: 'correct horse battery staple', deviceName: 'Pixel' });
    assert.equal(server.requests[0]!.path, '/api/app/v1/login/password');
    assert.ok(first.ok);
    assert.ok(isSecondFactorChallenge(first.value));
    const narrowed: SecondFactorChallenge = first.value;
    assert.deepEqual(narrowed.methods, ['totp', 'recovery']);

    const second = await client.loginWithPassword('anna@example.org', 'pw', 'Pixel');
    assert.ok(second.ok && !isSecondFactorChallenge(second.value));
    const linked: DeviceLogin = second.value;
    assert.equal(linked.deviceId, deviceLogin.deviceId);
    assert.ok('secondFactorRequired' in first.value && !('secondFactorRequired' in second.value), 'the `in` check narrows as well');
  });

  it('hands 429 rate_limited over with retryAfterSeconds', async () => {
    server.answer({ status: 429, body: { error: 'rate_limited', retryAfterSeconds: 42 } });
    const failure = assertFailure(await client.loginWithPassword('a@example.org', 'pw', 'Pixel'));
    assert.equal(failure.status, 429);
    assert.equal(failure.error, 'rate_limited');
    assert.equal(failure.retryAfterSeconds, 42);
    assert.equal(failure.attemptsLeft, undefined);
  });

  it('sends a code or a recovery code to /login/second-factor, never both', async () => {
    server.answer({ status: 200, body: deviceLogin }, { status: 401, body: { error: 'challenge_expired' } });
    const withCode = await client.loginSecondFactor('ch_1', { code: '123456' });
    assert.ok(withCode.ok);
    const withRecovery = await client.loginSecondFactor('ch_1', { recoveryCode: 'ABCD-EFGH-JKLM-NPQR' });
    assert.equal(assertFailure(withRecovery).error, 'challenge_expired');
    assert.deepEqual(
      server.requests.map((r) => [r.method, r.path, jsonBodyOf(r)]),
      [
        ['POST', '/api/app/v1/login/second-factor', { challengeId: 'ch_1', code: '123456' }],
        ['POST', '/api/app/v1/login/second-factor', { challengeId: 'ch_1', recoveryCode: 'ABCD-EFGH-JKLM-NPQR' }],
      ],
    );
  });

  it('sets a PIN: device credentials in the body, 204 gives an undefined value', async () => {
    server.answer({ status: 204 });
    const result = await client.setPin('dev', 'secret', '52817');
    const request = server.only();
    assert.deepEqual([request.method, request.path], ['POST', '/api/app/v1/pin']);
    assert.deepEqual(jsonBodyOf(request), { deviceId: 'dev', deviceSecret: 'secret', pin: '52817' });
    assert.equal(request.headers.authorization, undefined, 'device credentials never travel in a header');
    assert.deepEqual(result, { ok: true, status: 204, value: undefined });
    if (result.ok) {
      const check: Equals<typeof result.value, undefined> = true;
      assert.ok(check);
    }
  });

  it('passes the error codes of /pin through', async () => {
    server.answer({ status: 400, body: { error: 'weak_pin' } }, { status: 409, body: { error: 'pin_already_set' } }, { status: 401, body: { error: 'invalid_device' } });
    assert.equal(assertFailure(await client.setPin('dev', 'secret', '12345')).error, 'weak_pin');
    assert.equal(assertFailure(await client.setPin('dev', 'secret', '52817')).status, 409);
    assert.equal(assertFailure(await client.setPin('dev', 'wrong', '52817')).error, 'invalid_device');
  });

  it('unlocks with the PIN for an access token, and reports attemptsLeft on a wrong PIN', async () => {
    server.answer({ status: 200, body: { accessToken: 'at', expiresInSeconds: 900 } }, { status: 401, body: { error: 'invalid_pin', attemptsLeft: 3 } });
    const unlocked = await client.loginWithPin('dev', 'secret', '52817');
    assert.equal(server.requests[0]!.path, '/api/app/v1/login/pin');
    assert.deepEqual(jsonBodyOf(server.requests[0]!), { deviceId: 'dev', deviceSecret: 'secret', pin: '52817' });
    assert.ok(unlocked.ok);
    const token: AccessToken = unlocked.value;
    assert.deepEqual(token, { accessToken: 'at', expiresInSeconds: 900 });

    const wrong = assertFailure(await client.loginWithPin('dev', 'secret', '11112'));
    assert.deepEqual([wrong.status, wrong.error, wrong.attemptsLeft], [401, 'invalid_pin', 3]);
  });

  it('resets the PIN with POST /pin/reset', async () => {
    server.answer({ status: 204 });
    assert.deepEqual(await client.resetPin('dev', 'secret'), { ok: true, status: 204, value: undefined });
    const request = server.only();
    assert.deepEqual([request.method, request.path, jsonBodyOf(request)], ['POST', '/api/app/v1/pin/reset', { deviceId: 'dev', deviceSecret: 'secret' }]);
  });

  it('reads /me with the bearer token and no body', async () => {
    server.answer({ status: 200, body: me }, { status: 401, body: { error: 'invalid_token' } });
    const result = await client.me('access-token-1');
    const request = server.requests[0]!;
    assert.deepEqual([request.method, request.path], ['GET', '/api/app/v1/me']);
    assert.equal(request.headers.authorization, 'Bearer access-token-1');
    assert.equal(request.rawBody, '');
    assert.equal(request.headers['content-type'], undefined);
    assert.ok(result.ok);
    const typed: Me = result.value;
    assert.deepEqual(typed, me);
    assert.equal(assertFailure(await client.me('expired')).error, 'invalid_token');
  });

  it('logs out with POST /logout, the bearer token and no body', async () => {
    server.answer({ status: 204 }, { status: 401, body: { error: 'invalid_token' } });
    assert.deepEqual(await client.logout('access-token-1'), { ok: true, status: 204, value: undefined });
    const request = server.requests[0]!;
    assert.deepEqual([request.method, request.path, request.rawBody], ['POST', '/api/app/v1/logout', '']);
    assert.equal(request.headers.authorization, 'Bearer access-token-1');
    assert.equal(request.headers['content-type'], undefined, 'no JSON content type without a body');
    assert.equal(assertFailure(await client.logout('access-token-1')).status, 401);
  });

  it('gives precise result types per call', async () => {
    const checks: [
      Equals<Awaited<ReturnType<IngangAppClient['loginWithQr']>>, ApiResult<DeviceLogin, 200>>,
      Equals<Awaited<ReturnType<IngangAppClient['loginWithPassword']>>, ApiResult<DeviceLogin | SecondFactorChallenge, 200>>,
      Equals<Awaited<ReturnType<IngangAppClient['loginSecondFactor']>>, ApiResult<DeviceLogin, 200>>,
      Equals<Awaited<ReturnType<IngangAppClient['setPin']>>, ApiResult<undefined, 204>>,
      Equals<Awaited<ReturnType<IngangAppClient['loginWithPin']>>, ApiResult<AccessToken, 200>>,
      Equals<Awaited<ReturnType<IngangAppClient['resetPin']>>, ApiResult<undefined, 204>>,
      Equals<Awaited<ReturnType<IngangAppClient['me']>>, ApiResult<Me, 200>>,
      Equals<Awaited<ReturnType<IngangAppClient['logout']>>, ApiResult<undefined, 204>>,
      Equals<ApiFailure['error'], string>,
    ] = [true, true, true, true, true, true, true, true, true];
    assert.ok(checks.every(Boolean));
  });

});
