// The typed client's options (fetch, headers, base URL), and what it does with answers outside
// the contract and with a network that fails.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { IngangAppClient, unexpectedResponse } from './client.js';
import { FakeServer, assertFailure, me } from './fake-api-server.test-support.js';

describe('IngangAppClient', () => {
  const server = new FakeServer();
  let client: IngangAppClient;

  before(() => server.start());
  after(() => server.stop());
  beforeEach(() => {
    server.reset();
    client = new IngangAppClient({ baseUrl: server.origin });
  });

  it('uses the given fetch and headers, and a base URL with a trailing slash', async () => {
    const seen: string[] = [];
    const custom = new IngangAppClient({
      baseUrl: `${server.origin}/`,
      headers: { 'user-agent': 'IngangTest/1', authorization: 'Basic ignored' },
      fetch: (input, init) => {
        seen.push(String(input));
        return fetch(input, init);
      },
    });
    server.answer({ status: 204 });
    await custom.logout('tok');
    assert.deepEqual(seen, [`${server.origin}/api/app/v1/logout`]);
    const request = server.only();
    assert.equal(request.headers['user-agent'], 'IngangTest/1');
    assert.equal(request.headers.authorization, 'Bearer tok', "the client's own headers win");
  });

  it('refuses a base URL that is not http(s)', () => {
    assert.throws(() => new IngangAppClient({ baseUrl: 'ftp://example.org' }), TypeError);
    assert.throws(() => new IngangAppClient({ baseUrl: 'org.localhost:3000' }), TypeError);
  });

  it('flags answers outside the contract as unexpected_response instead of trusting them', async () => {
    server.answer(
      { status: 200, body: { deviceId: 'dev' } },
      { status: 200, body: { ...me, role: 'root' } },
      { status: 200, body: { accessToken: 'at', expiresInSeconds: 900 } },
      { status: 404, text: '<!DOCTYPE html><title>Not found</title>' },
      { status: 500 },
      { status: 302, headers: { location: 'https://evil.example/steal' } },
    );
    const missingFields = assertFailure(await client.loginWithQr('t', 'd'));
    assert.deepEqual([missingFields.status, missingFields.error], [200, unexpectedResponse]);
    assert.equal(assertFailure(await client.me('t')).error, unexpectedResponse, 'an unknown role');
    const wrongStatus = assertFailure(await client.setPin('d', 's', '52817'));
    assert.deepEqual([wrongStatus.status, wrongStatus.error], [200, unexpectedResponse], '200 where the contract says 204');
    const html = assertFailure(await client.me('t'));
    assert.deepEqual([html.status, html.error, html.body], [404, unexpectedResponse, '<!DOCTYPE html><title>Not found</title>']);
    const empty = assertFailure(await client.logout('t'));
    assert.deepEqual([empty.status, empty.error, empty.body], [500, unexpectedResponse, undefined]);
    const redirect = assertFailure(await client.loginWithPassword('a@example.org', 'secret password', 'd'));
    assert.deepEqual([redirect.status, redirect.error], [302, unexpectedResponse]);
    assert.equal(server.requests.length, 6, 'the redirect was not followed');
  });

  it('throws only for network errors', async () => {
    const closed = new FakeServer();
    await closed.start();
    await closed.stop();
    const offline = new IngangAppClient({ baseUrl: closed.origin });
    await assert.rejects(offline.me('t'), TypeError);
  });
});
