import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { createTestApp, createTestOrg, hostOf, type TestApp } from '../harness.js';
import type { Organization } from '../../src/tenants/organizations.js';

// Short limits so the test waits seconds, not minutes; production defaults are in config.ts.
const limits = { REQUEST_TIMEOUT_MS: '1500', HEADERS_TIMEOUT_MS: '1000', KEEP_ALIVE_TIMEOUT_MS: '1000', IDLE_TIMEOUT_MS: '1500', MAX_CONNECTIONS_PER_ADDRESS: '40', MAX_CONNECTIONS: '60' };
const metricsToken = 'metrics-token-for-slow-clients';

let t: TestApp;
let org: Organization;
let port: number;
before(async () => {
  t = await createTestApp({ config: { ...limits, METRICS_TOKEN: metricsToken } });
  org = await createTestOrg(t);
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  const address = t.app.server.address();
  assert.ok(address && typeof address === 'object');
  port = address.port;
});
after(async () => t.close());

interface Connection {
  socket: Socket;
  received: string;
  closed: Promise<void>;
  isClosed: boolean;
}

function open(localAddress = '127.0.0.1'): Promise<Connection> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, localAddress });
    const connection: Connection = { socket, received: '', isClosed: false, closed: new Promise((done) => socket.once('close', () => done())) };
    void connection.closed.then(() => (connection.isClosed = true));
    socket.on('data', (chunk) => (connection.received += chunk.toString('latin1')));
    socket.on('error', () => {});
    socket.once('connect', () => resolve(connection));
    socket.once('error', reject);
  });
}

/** Writes `text` a byte at a time, every `everyMs`, until the connection closes. */
function trickle(connection: Connection, text: string, everyMs: number): void {
  let at = 0;
  const timer = setInterval(() => {
    if (connection.isClosed || at >= text.length) return clearInterval(timer);
    connection.socket.write(text[at++]!);
  }, everyMs);
  void connection.closed.then(() => clearInterval(timer));
}

/** Waits for the close the server must make, with a ceiling far above the limits: never closing is the failure. */
async function closedWithin(connection: Connection, ms: number): Promise<boolean> {
  return Promise.race([connection.closed.then(() => true), new Promise<boolean>((done) => setTimeout(() => done(false), ms))]);
}

async function get(path: string, localAddress: string): Promise<{ status: number; body: string }> {
  const connection = await open(localAddress);
  connection.socket.write(`GET ${path} HTTP/1.1\r\nHost: ${hostOf(org)}\r\nConnection: close\r\n\r\n`);
  await closedWithin(connection, 10_000);
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(connection.received)?.[1] ?? 0);
  return { status, body: connection.received };
}

describe('SECURITY 34: slow clients are cut off and cannot crowd others out', () => {
  test('a body that trickles in one byte at a time gets a 408 and the connection is closed', async () => {
    const connection = await open();
    connection.socket.write(`POST /login HTTP/1.1\r\nHost: ${hostOf(org)}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 400\r\n\r\n`);
    trickle(connection, 'email=a%40example.org&password='.padEnd(400, 'x'), 200);
    assert.equal(await closedWithin(connection, 15_000), true, 'the server closes a request whose body never finishes');
    assert.match(connection.received, /^HTTP\/1\.1 408/);
  });

  test('headers that trickle in are cut off too', async () => {
    const connection = await open();
    connection.socket.write('GET /healthz HTTP/1.1\r\n');
    trickle(connection, `Host: ${hostOf(org)}\r\nX-Slow: ${'y'.repeat(200)}\r\n\r\n`, 200);
    assert.equal(await closedWithin(connection, 15_000), true, 'the server closes a request whose headers never finish');
    assert.match(connection.received, /^HTTP\/1\.1 408/);
  });

  test('a connection that sends nothing is closed', async () => {
    const connection = await open();
    assert.equal(await closedWithin(connection, 15_000), true);
  });

  test('300 slow connections from one address: at most 40 stay open, and another client is served meanwhile', async () => {
    const slow: Connection[] = [];
    for (let i = 0; i < 300; i++) {
      const connection = await open();
      connection.socket.write(`POST /login HTTP/1.1\r\nHost: ${hostOf(org)}\r\nContent-Length: 1000\r\n\r\n`);
      slow.push(connection);
    }
    // The server closes each one over the cap as it accepts it.
    for (let waited = 0; slow.filter((c) => c.isClosed).length < 260 && waited < 10_000; waited += 50) await new Promise((done) => setTimeout(done, 50));
    const stillOpen = slow.filter((c) => !c.isClosed).length;
    assert.ok(stillOpen <= 40, `${stillOpen} slow connections of one address stay open`);
    assert.ok(stillOpen > 0, 'the ones within the cap are kept until their deadline');

    // Another address is served while those are held open.
    const health = await get('/healthz', '127.0.0.2');
    assert.equal(health.status, 200);
    const login = await get('/login', '127.0.0.2');
    assert.equal(login.status, 200);
    assert.match(login.body, /<form/);

    const metrics = await get('/metrics', '127.0.0.2');
    assert.equal(metrics.status, 401, 'metrics still need the token');
    const withToken = await open('127.0.0.2');
    withToken.socket.write(`GET /metrics HTTP/1.1\r\nHost: monitoring.internal\r\nAuthorization: Bearer ${metricsToken}\r\nConnection: close\r\n\r\n`);
    await closedWithin(withToken, 10_000);
    const refused = Number(/^ingang_connections_refused_total (\d+)$/m.exec(withToken.received)?.[1] ?? 0);
    assert.ok(refused >= 260, `refused connections counted: ${refused}`);

    // And the ones kept are cut off at their deadline, not held forever.
    for (const connection of slow) assert.equal(await closedWithin(connection, 15_000), true);
  });

  test('slow connections from many addresses fill at most MAX_CONNECTIONS; once their deadline cuts them, others are served again', async () => {
    const slow: Connection[] = [];
    for (const address of ['127.0.0.3', '127.0.0.4', '127.0.0.5']) {
      for (let i = 0; i < 30; i++) {
        const connection = await open(address);
        connection.socket.write(`POST /login HTTP/1.1\r\nHost: ${hostOf(org)}\r\nContent-Length: 1000\r\n\r\n`);
        slow.push(connection);
      }
    }
    for (let waited = 0; slow.filter((c) => c.isClosed).length < 30 && waited < 10_000; waited += 50) await new Promise((done) => setTimeout(done, 50));
    const stillOpen = slow.filter((c) => !c.isClosed).length;
    assert.ok(stillOpen <= 60, `${stillOpen} of 90 slow connections stay open`);
    for (const connection of slow) assert.equal(await closedWithin(connection, 15_000), true);
    assert.equal((await get('/healthz', '127.0.0.2')).status, 200);
  });
});
