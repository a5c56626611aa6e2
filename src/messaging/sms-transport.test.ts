import assert from 'node:assert/strict';
import http, { type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import {
  devSmsTransport,
  isE164,
  twilioSmsTransport,
  webhookSmsTransport,
  type OutgoingSms,
  type SmsTransport,
} from './sms-transport.js';

interface ReceivedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

interface Reply {
  status: number;
  body?: string;
  headers?: Record<string, string>;
  /** Never answer: the client has to give up by itself. */
  hang?: boolean;
}

interface TestHttpServer {
  baseUrl: string;
  received: ReceivedRequest[];
  /** What the next requests get; the default is 201 with an empty JSON object. */
  reply: Reply;
  close(): Promise<void>;
}

/** A real HTTP server on a free local port that records every request and answers `reply`. */
async function startHttpServer(): Promise<TestHttpServer> {
  const received: ReceivedRequest[] = [];
  const state: TestHttpServer = {
    baseUrl: '',
    received,
    reply: { status: 201, body: '{}' },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({
        method: request.method ?? '',
        url: request.url ?? '',
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      const reply = state.reply;
      if (reply.hang) return;
      response.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
      response.end(reply.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  state.baseUrl = `http://127.0.0.1:${port}`;
  return state;
}

/** A port that was free a moment ago and has nothing listening now. */
async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const accountSid = 'AC0123456789abcdef0123456789abcdef';
const authToken = 'tok_9f8e7d6c5b4a39281706f5e4d3c2b1a0';
const sms: OutgoingSms = {
  to: '+31612345678',
  message: 'Je inlogcode voor Demo Zorg is 123456. Deze code is 5 minuten geldig. Deel hem met niemand.',
};

async function rejectionOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof Error);
    return error;
  }
  assert.fail('expected a rejection');
}

/** Nothing an error says may end up in a log that should not: the token, the code, the number. */
function assertNothingSecretIn(error: Error): void {
  const everything = `${error.message} ${error.stack ?? ''} ${String(error.cause ?? '')}`;
  assert.ok(!everything.includes(authToken), 'the auth token stays out of the error');
  assert.ok(!everything.includes(Buffer.from(`${accountSid}:${authToken}`).toString('base64')), 'so does the header');
  assert.ok(!everything.includes('123456'), 'the code stays out of the error');
  assert.ok(!everything.includes(sms.to), 'the phone number stays out of the error');
}

describe('isE164', () => {
  it('accepts international numbers and refuses everything else', () => {
    for (const phone of ['+31612345678', '+14155552671', '+4930123456', '+1234567', '+123456789012345']) {
      assert.equal(isE164(phone), true, phone);
    }
    for (const phone of ['0612345678', '+0612345678', '31612345678', '+31 6 12345678', '+316-12345678', '+123456', '+1234567890123456', '', '+31612345678\n', ' +31612345678']) {
      assert.equal(isE164(phone), false, JSON.stringify(phone));
    }
  });
});

describe('twilioSmsTransport', () => {
  let server: TestHttpServer;
  let transport: SmsTransport;
  before(async () => {
    server = await startHttpServer();
    transport = twilioSmsTransport({ accountSid, authToken, from: '+3197010203040', baseUrl: `${server.baseUrl}/`, timeoutMs: 2_000 });
  });
  after(() => server.close());

  it('posts the form to the Messages resource with Basic auth', async () => {
    server.reply = { status: 201, body: JSON.stringify({ sid: 'SM123', status: 'queued' }) };
    server.received.length = 0;
    await transport.send(sms);
    assert.equal(server.received.length, 1);
    const request = server.received[0]!;
    assert.equal(request.method, 'POST');
    assert.equal(request.url, `/2010-04-01/Accounts/${accountSid}/Messages.json`);
    assert.equal(request.headers.authorization, `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}`);
    assert.match(request.headers['content-type'] ?? '', /^application\/x-www-form-urlencoded\b/);
    const form = new URLSearchParams(request.body);
    assert.deepEqual([...form.keys()].sort(), ['Body', 'From', 'To']);
    assert.equal(form.get('To'), sms.to);
    assert.equal(form.get('From'), '+3197010203040');
    assert.equal(form.get('Body'), sms.message);
  });

  it('keeps a newline in the message', async () => {
    server.reply = { status: 201, body: '{}' };
    server.received.length = 0;
    await transport.send({ to: sms.to, message: 'Code 123456\nDeel hem met niemand.' });
    assert.equal(new URLSearchParams(server.received[0]!.body).get('Body'), 'Code 123456\nDeel hem met niemand.');
  });

  it("rejects a 400 with Twilio's code and message, without the token, the code or the number", async () => {
    server.reply = {
      status: 400,
      body: JSON.stringify({
        code: 21211,
        message: `The 'To' number ${sms.to} is not a valid phone number. Token ${authToken}, body ${sms.message}`,
        more_info: 'https://www.twilio.com/docs/errors/21211',
        status: 400,
      }),
    };
    const error = await rejectionOf(transport.send(sms));
    assert.match(error.message, /400/);
    assert.match(error.message, /21211/);
    assert.match(error.message, /is not a valid phone number/);
    assertNothingSecretIn(error);
  });

  it('rejects a 500, also when the body is not JSON', async () => {
    server.reply = { status: 500, body: '<html>Internal Server Error</html>', headers: { 'content-type': 'text/html' } };
    const error = await rejectionOf(transport.send(sms));
    assert.match(error.message, /HTTP 500/);
    assertNothingSecretIn(error);
  });

  it('rejects a redirect instead of following it', async () => {
    server.reply = { status: 307, headers: { location: `${server.baseUrl}/elsewhere` } };
    server.received.length = 0;
    const error = await rejectionOf(transport.send(sms));
    assert.match(error.message, /HTTP 307/);
    assert.equal(server.received.length, 1, 'the credentials and the code went to one place only');
  });

  // The test's own timeout only keeps a broken timer from hanging the run; nothing here is a speed claim.
  it('rejects after timeoutMs when the server never answers', { timeout: 30_000 }, async () => {
    server.reply = { status: 201, hang: true };
    const hanging = twilioSmsTransport({ accountSid, authToken, from: '+3197010203040', baseUrl: server.baseUrl, timeoutMs: 200 });
    const started = Date.now();
    const error = await rejectionOf(hanging.send(sms));
    const elapsed = Date.now() - started;
    assert.match(error.message, /did not answer within 200 ms/);
    // It waited for its timer (which never fires early by more than a tick), not for anything else.
    assert.ok(elapsed >= 150, `gave up after ${elapsed} ms, before its 200 ms`);
    assertNothingSecretIn(error);
  });

  it('rejects when nothing listens on the port', async () => {
    const port = await closedPort();
    const unreachable = twilioSmsTransport({ accountSid, authToken, from: '+3197010203040', baseUrl: `http://127.0.0.1:${port}` });
    const error = await rejectionOf(unreachable.send(sms));
    assert.match(error.message, /could not be reached \(ECONNREFUSED\)/);
    assertNothingSecretIn(error);
  });

  it('refuses a number that is not E.164 or a control character without any request', async () => {
    server.reply = { status: 201, body: '{}' };
    server.received.length = 0;
    for (const bad of [
      { to: '0612345678', message: 'x' },
      { to: '+31 6 12345678', message: 'x' },
      { to: '+31612345678\r\n', message: 'x' },
      { to: '+31612345678', message: 'Code 123456\r\nBcc' },
      { to: '+31612345678', message: 'Code\u0000123456' },
      { to: '+31612345678', message: 'Code\u001b[2J123456' },
      { to: '+31612345678', message: '  ' },
    ]) {
      await assert.rejects(transport.send(bad), JSON.stringify(bad));
    }
    assert.equal(server.received.length, 0);
  });

  it('refuses a bad configuration when it is built', () => {
    assert.throws(() => twilioSmsTransport({ accountSid: '', authToken, from: '+3197010203040' }));
    assert.throws(() => twilioSmsTransport({ accountSid, authToken: '', from: '+3197010203040' }));
    assert.throws(() => twilioSmsTransport({ accountSid, authToken, from: '' }));
    assert.throws(() => twilioSmsTransport({ accountSid, authToken, from: '+3197010203040', baseUrl: 'ftp://x' }));
    assert.throws(() => twilioSmsTransport({ accountSid, authToken, from: '+3197010203040', timeoutMs: 0 }));
  });
});

describe('webhookSmsTransport', () => {
  let server: TestHttpServer;
  before(async () => {
    server = await startHttpServer();
  });
  after(() => server.close());

  it('posts exactly {"to", "message"} as JSON', async () => {
    server.reply = { status: 204 };
    server.received.length = 0;
    await webhookSmsTransport({ url: `${server.baseUrl}/sms?key=abc` }).send(sms);
    const request = server.received[0]!;
    assert.equal(request.method, 'POST');
    assert.equal(request.url, '/sms?key=abc');
    assert.match(request.headers['content-type'] ?? '', /^application\/json\b/);
    assert.equal(request.headers.authorization, undefined);
    assert.equal(request.body, JSON.stringify({ to: sms.to, message: sms.message }));
    assert.deepEqual(Object.keys(JSON.parse(request.body) as object), ['to', 'message']);
  });

  it('turns a user and password in the URL into Basic auth', async () => {
    server.reply = { status: 200, body: 'ok' };
    server.received.length = 0;
    await webhookSmsTransport({ url: server.baseUrl.replace('//', '//sms%40gw:p%3Ass@') + '/hook' }).send(sms);
    assert.equal(server.received[0]!.headers.authorization, `Basic ${Buffer.from('sms@gw:p:ss').toString('base64')}`);
  });

  it('rejects a non-2xx answer naming the status, not the URL', async () => {
    server.reply = { status: 502, body: 'bad gateway' };
    const error = await rejectionOf(webhookSmsTransport({ url: `${server.baseUrl}/sms?key=s3cret` }).send(sms));
    assert.match(error.message, /HTTP 502/);
    assert.ok(!error.message.includes('s3cret'));
    assert.ok(!error.message.includes('123456'));
  });

  it('rejects after timeoutMs and when nothing listens', async () => {
    server.reply = { status: 200, hang: true };
    await assert.rejects(webhookSmsTransport({ url: server.baseUrl, timeoutMs: 150 }).send(sms), /did not answer within 150 ms/);
    const port = await closedPort();
    await assert.rejects(webhookSmsTransport({ url: `http://127.0.0.1:${port}/` }).send(sms), /could not be reached/);
  });

  it('refuses an invalid number without a request', async () => {
    server.reply = { status: 200 };
    server.received.length = 0;
    await assert.rejects(webhookSmsTransport({ url: server.baseUrl }).send({ to: '+31', message: 'x' }), /E\.164/);
    assert.equal(server.received.length, 0);
  });

  it('refuses a URL that is not http(s)', () => {
    assert.throws(() => webhookSmsTransport({ url: 'file:///etc/passwd' }));
    assert.throws(() => webhookSmsTransport({ url: 'not a url' }));
  });
});

describe('devSmsTransport', () => {
  it('logs the message after the same checks', async () => {
    const logged: OutgoingSms[] = [];
    const transport = devSmsTransport((entry) => logged.push(entry));
    await transport.send(sms);
    assert.deepEqual(logged, [sms]);
    await assert.rejects(transport.send({ to: '06 12345678', message: 'x' }));
    await assert.rejects(transport.send({ to: sms.to, message: 'a\rb' }));
    assert.equal(logged.length, 1);
  });
});
