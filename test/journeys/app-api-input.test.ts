import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { appClient } from '../app-helpers.js';
import { createActiveAccount, createTestApp, createTestOrg, hostOf, type TestApp } from '../harness.js';

let t: TestApp;
before(async () => {
  t = await createTestApp();
});
after(async () => t.close());

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

  test('malformed device ids get invalid_device, never a 500', async () => {
    const org = await createTestOrg(t);
    const app = appClient(t, org, '192.0.2.210');
    for (const deviceId of ['0'.repeat(36), '-'.repeat(36), 'aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaa-', 'not-a-uuid']) {
      const secret = `${'A'.repeat(22)}.${'A'.repeat(43)}`;
      for (const result of [await app.setPin(deviceId, secret, '27183'), await app.loginWithPin(deviceId, secret, '27183'), await app.resetPin(deviceId, secret)]) {
        assert.ok(result.status === 401 || result.status === 429, `${deviceId}: ${result.status}`);
      }
    }
  });

  test('the API takes JSON only, in valid UTF-8; guessing device secrets on /pin/reset is throttled', async () => {
    const org = await createTestOrg(t);
    const user = await createActiveAccount(t, org);
    const form = await t.app.inject({ method: 'POST', url: '/api/app/v1/login/password', headers: { host: hostOf(org), 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams({ email: user.email, password: user.password, deviceName: 'x' }).toString() });
    assert.equal(form.statusCode, 415, 'a cross-site form post cannot use the API');
    const bad = await t.app.inject({ method: 'POST', url: '/api/app/v1/login/password', headers: { host: hostOf(org), 'content-type': 'application/json' }, payload: Buffer.concat([Buffer.from('{"email":"'), Buffer.from([0xc3, 0x28]), Buffer.from('","password":"x","deviceName":"d"}')]) });
    assert.equal(bad.statusCode, 400);
    assert.equal(JSON.parse(bad.body).error, 'invalid_request');
    const guesser = appClient(t, org, '192.0.2.99');
    let last = 0;
    for (let i = 0; i < 21; i++) last = (await guesser.resetPin('11111111-2222-3333-4444-555555555555', `${'B'.repeat(22)}.${'B'.repeat(43)}`)).status;
    assert.equal(last, 429);
  });
});
