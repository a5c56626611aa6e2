/**
 * SECURITY 46: a request that names two hosts — two Host headers, or an absolute-form URI naming
 * another host than Host — gets 400 before any organization is resolved. Sent over a real socket,
 * since that is where such requests come from.
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { createTestApp, createTestOrg, hostOf, type TestApp } from '../harness.js';

let t: TestApp;
let port: number;
before(async () => {
  t = await createTestApp();
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  port = (t.app.server.address() as AddressInfo).port;
});
after(async () => t.close());

/** Sends raw HTTP/1.1 and returns the status line and the body. */
function raw(request: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let data = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk) => (data += chunk));
    socket.on('end', () => resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(data)?.[1] ?? 0), text: data }));
    socket.on('error', reject);
    socket.write(request.replace(/\n/g, '\r\n'));
  });
}

describe('SECURITY 46: a request names one host or none', () => {
  test('two Host headers get 400, naming neither organization', async () => {
    const a = await createTestOrg(t);
    const b = await createTestOrg(t);
    const answer = await raw(`GET /login HTTP/1.1\nHost: ${hostOf(a)}\nHost: ${hostOf(b)}\nConnection: close\n\n`);
    assert.equal(answer.status, 400);
    assert.doesNotMatch(answer.text, new RegExp(`${a.name}|${b.name}`));
    assert.match(answer.text, /content-security-policy/i);
  });

  test('an absolute-form URI with another host gets 400; with the same host it is served', async () => {
    const a = await createTestOrg(t);
    const b = await createTestOrg(t);
    const other = await raw(`GET http://${hostOf(b)}/login HTTP/1.1\nHost: ${hostOf(a)}\nConnection: close\n\n`);
    assert.equal(other.status, 400);
    assert.doesNotMatch(other.text, new RegExp(`${a.name}|${b.name}`));
    const api = await raw(`POST http://${hostOf(b)}/api/app/v1/login/password HTTP/1.1\nHost: ${hostOf(a)}\nContent-Type: application/json\nContent-Length: 2\nConnection: close\n\n{}`);
    assert.equal(api.status, 400);
    assert.match(api.text, /"error":"invalid_request"/);
    const same = await raw(`GET http://${hostOf(a)}/login HTTP/1.1\nHost: ${hostOf(a)}\nConnection: close\n\n`);
    assert.equal(same.status, 200);
    assert.match(same.text, new RegExp(a.name));
  });
});
