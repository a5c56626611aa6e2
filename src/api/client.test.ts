import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import {
  IngangAppClient,
  isSecondFactorChallenge,
  qrTokenFromUrl,
  unexpectedResponse,
  type AccessToken,
  type ApiFailure,
  type ApiResult,
  type DeviceLogin,
  type Me,
  type SecondFactorChallenge,
} from './client.js';
import { appApiMaxStringLength, openApiDocument, type JsonSchema, type OpenApiOperation } from './openapi.js';

/** Compile-time equality of two types: `const check: Equals<A, B> = true` fails to compile otherwise. */
type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;

interface Recorded {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  rawBody: string;
}

interface Scripted {
  status: number;
  body?: unknown;
  /** A raw body instead of JSON (e.g. an HTML page). */
  text?: string;
  headers?: Record<string, string>;
}

/** A stand-in server: answers the scripted responses in order and records every request. */
class FakeServer {
  readonly requests: Recorded[] = [];
  readonly answers: Scripted[] = [];
  #server: Server | undefined;
  origin = '';

  async start(): Promise<void> {
    this.#server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        this.requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, rawBody: Buffer.concat(chunks).toString('utf8') });
        const answer = this.answers.shift() ?? { status: 500, body: { error: 'no_answer_scripted' } };
        const payload = answer.text ?? (answer.body === undefined ? '' : JSON.stringify(answer.body));
        const contentType = answer.text !== undefined ? 'text/html; charset=utf-8' : 'application/json; charset=utf-8';
        res.writeHead(answer.status, payload === '' ? { ...answer.headers } : { 'content-type': contentType, ...answer.headers });
        res.end(payload);
      });
    });
    await new Promise<void>((resolve) => this.#server!.listen(0, '127.0.0.1', resolve));
    this.origin = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  answer(...answers: Scripted[]): void {
    this.answers.push(...answers);
  }

  /** The one request since the last reset. */
  only(): Recorded {
    assert.equal(this.requests.length, 1, 'exactly one request');
    return this.requests[0]!;
  }

  reset(): void {
    this.requests.length = 0;
    this.answers.length = 0;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve, reject) => this.#server?.close((error) => (error ? reject(error) : resolve())));
  }
}

const account = { id: '3f0c2a57-2a54-4a8e-9a53-0d7d2f0b6a11', name: 'Anna de Vries', email: 'Anna@example.org', role: 'client' } as const;
const deviceLogin: DeviceLogin = { deviceId: 'b6c1e7c4-1d0e-4c55-9b1e-9a6a1b3c2d4e', deviceSecret: 'x'.repeat(43), pinRequired: true, account: { ...account } };
const me: Me = { ...account, locale: 'nl', organization: { slug: 'linde', name: 'Huisartsenpraktijk De Linde' } };

function jsonBodyOf(request: Recorded): unknown {
  assert.match(String(request.headers['content-type']), /^application\/json/);
  return JSON.parse(request.rawBody);
}

function assertFailure<T>(result: ApiResult<T>): ApiFailure {
  assert.equal(result.ok, false, `expected a failure, got ${JSON.stringify(result)}`);
  if (result.ok) throw new Error('unreachable');
  return result;
}

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

describe('qrTokenFromUrl', () => {
  it('takes the token from the fragment of an app login link', () => {
    assert.equal(qrTokenFromUrl('https://linde.example.nl/app/login#AbC_12-3.xYz'), 'AbC_12-3.xYz');
    assert.equal(qrTokenFromUrl('http://linde.localhost:3000/app/login#tok'), 'tok', 'http for development');
    assert.equal(qrTokenFromUrl('  https://LINDE.example.nl/app/login#tok\n'), 'tok', 'surrounding white space and host case');
  });

  it('refuses anything else', () => {
    for (const url of [
      '',
      'not a url',
      'https://linde.example.nl/app/login',
      'https://linde.example.nl/app/login#',
      'https://linde.example.nl/app/login/#tok',
      'https://linde.example.nl/app/logins#tok',
      'https://linde.example.nl/App/Login#tok',
      'https://linde.example.nl/login#tok',
      'https://linde.example.nl/app/login?x=1#tok',
      'https://user:pw@linde.example.nl/app/login#tok',
      'javascript://linde.example.nl/app/login#tok',
      'ftp://linde.example.nl/app/login#tok',
      'https://linde.example.nl/app/login#tok%20en',
      'https://linde.example.nl/app/login#tok#en',
      `https://linde.example.nl/app/login#${'a'.repeat(513)}`,
    ]) {
      assert.equal(qrTokenFromUrl(url), null, url);
    }
  });
});

/** SPEC 5, the table: path → method, success status, error codes by status. */
const specTable: Record<string, { method: 'get' | 'post'; success: string; errors: Record<string, string[]>; body: string[] | null; bearer: boolean }> = {
  // The SPEC 5 table, plus the documented additions: 429 where guessing is throttled (SECURITY 9),
  // 403 two_factor_setup_required, and invalid_device / pin_not_set on /login/pin.
  '/login/qr': { method: 'post', success: '200', errors: { '401': ['invalid_token'], '429': ['rate_limited'] }, body: ['token', 'deviceName'], bearer: false },
  '/login/password': {
    method: 'post',
    success: '200',
    errors: { '401': ['invalid_credentials'], '403': ['two_factor_setup_required'], '429': ['rate_limited'] },
    body: ['email', 'password', 'deviceName'],
    bearer: false,
  },
  '/login/second-factor': {
    method: 'post',
    success: '200',
    errors: { '401': ['invalid_code', 'challenge_expired'], '429': ['rate_limited'] },
    body: null,
    bearer: false,
  },
  '/pin': {
    method: 'post',
    success: '204',
    errors: { '400': ['invalid_pin_format', 'weak_pin'], '409': ['pin_already_set'], '401': ['invalid_device'], '429': ['rate_limited'] },
    body: ['deviceId', 'deviceSecret', 'pin'],
    bearer: false,
  },
  '/login/pin': {
    method: 'post',
    success: '200',
    errors: { '401': ['invalid_pin', 'device_revoked', 'invalid_device'], '409': ['pin_not_set'], '429': ['rate_limited'] },
    body: ['deviceId', 'deviceSecret', 'pin'],
    bearer: false,
  },
  '/pin/reset': { method: 'post', success: '204', errors: { '401': ['invalid_device'] }, body: ['deviceId', 'deviceSecret'], bearer: false },
  '/me': { method: 'get', success: '200', errors: { '401': ['invalid_token'] }, body: null, bearer: true },
  '/logout': { method: 'post', success: '204', errors: { '401': ['invalid_token'] }, body: null, bearer: true },
};

function resolve(schema: JsonSchema): JsonSchema {
  if (schema.$ref === undefined) return schema;
  const name = schema.$ref.replace('#/components/schemas/', '');
  const target = openApiDocument.components.schemas[name];
  assert.ok(target, `${schema.$ref} resolves`);
  return target;
}

/** Every error code a response schema allows: the `const`/`enum` of `error`, through $ref, allOf and oneOf. */
function errorCodesOf(schema: JsonSchema): string[] {
  const s = resolve(schema);
  const own = s.properties?.error;
  const codes = own ? [...(own.enum ?? []), ...(typeof own.const === 'string' ? [own.const] : [])] : [];
  return [...codes, ...(s.allOf ?? []).flatMap(errorCodesOf), ...(s.oneOf ?? []).flatMap(errorCodesOf)];
}

/** The branch of an error schema for one code (the allOf holding `error: {const: code}`). */
function branchOf(schema: JsonSchema, code: string): JsonSchema {
  const branches = schema.oneOf ?? [schema];
  const branch = branches.find((b) => errorCodesOf(b).includes(code));
  assert.ok(branch, code);
  return branch;
}

function operationOf(path: string): OpenApiOperation {
  const item = openApiDocument.paths[path];
  assert.ok(item, path);
  const operation = item[specTable[path]!.method];
  assert.ok(operation, `${path} has its method`);
  return operation;
}

function jsonSchemaOf(content: Record<string, { schema: JsonSchema }> | undefined): JsonSchema {
  const media = content?.['application/json'];
  assert.ok(media, 'a JSON body');
  return media.schema;
}

describe('openApiDocument', () => {
  it('is an OpenAPI 3.1 document of /api/app/v1 and plain JSON', () => {
    assert.equal(openApiDocument.openapi, '3.1.0');
    assert.deepEqual(openApiDocument.servers.map((s) => s.url), ['/api/app/v1']);
    assert.deepEqual(JSON.parse(JSON.stringify(openApiDocument)), openApiDocument);
  });

  it('lists exactly the calls of the SPEC table, each with its method and success status', () => {
    assert.deepEqual(Object.keys(openApiDocument.paths).sort(), Object.keys(specTable).sort());
    for (const [path, row] of Object.entries(specTable)) {
      const item = openApiDocument.paths[path]!;
      assert.deepEqual(Object.keys(item), [row.method], `${path}: only ${row.method}`);
      const operation = operationOf(path);
      const successes = Object.keys(operation.responses).filter((status) => status.startsWith('2'));
      assert.deepEqual(successes, [row.success], path);
      const success = operation.responses[row.success]!;
      assert.equal(success.content === undefined, row.success === '204', `${path}: a 204 has no body`);
    }
  });

  it('gives every error code of the table under its status, and nothing undocumented', () => {
    for (const [path, row] of Object.entries(specTable)) {
      const operation = operationOf(path);
      const expected: Record<string, string[]> = { ...row.errors };
      if (operation.requestBody) {
        expected['400'] = [...(expected['400'] ?? []), 'invalid_request'];
        expected['413'] = ['payload_too_large'];
      }
      const actual = Object.fromEntries(
        Object.entries(operation.responses)
          .filter(([status]) => !status.startsWith('2'))
          .map(([status, response]) => [status, errorCodesOf(jsonSchemaOf(response.content)).sort()]),
      );
      const sorted = Object.fromEntries(Object.entries(expected).map(([status, codes]) => [status, [...codes].sort()]));
      assert.deepEqual(actual, sorted, path);
      for (const [status, response] of Object.entries(operation.responses)) {
        if (status.startsWith('2')) continue;
        const schema = jsonSchemaOf(response.content);
        for (const branch of schema.oneOf ?? [schema]) assert.ok(branch.allOf?.some((s) => s.$ref === '#/components/schemas/Error'), `${path}: an Error`);
      }
    }
  });

  it('requires attemptsLeft with invalid_pin and retryAfterSeconds with rate_limited', () => {
    const requiredOf = (branch: JsonSchema) => (branch.allOf ?? []).flatMap((s) => resolve(s).required ?? []);
    const invalidPin = branchOf(jsonSchemaOf(operationOf('/login/pin').responses['401']!.content), 'invalid_pin');
    assert.ok(requiredOf(invalidPin).includes('attemptsLeft'));
    const revoked = branchOf(jsonSchemaOf(operationOf('/login/pin').responses['401']!.content), 'device_revoked');
    assert.ok(!requiredOf(revoked).includes('attemptsLeft'));
    for (const path of ['/login/password', '/login/second-factor']) {
      const rateLimited = branchOf(jsonSchemaOf(operationOf(path).responses['429']!.content), 'rate_limited');
      assert.ok(requiredOf(rateLimited).includes('retryAfterSeconds'), path);
    }
    const error = openApiDocument.components.schemas.Error!;
    assert.deepEqual(error.required, ['error']);
    assert.equal(error.properties?.error?.type, 'string');
  });

  it('asks the bearer token on /me and /logout only; device credentials travel in the body', () => {
    assert.deepEqual(openApiDocument.components.securitySchemes.bearerAuth, {
      type: 'http',
      scheme: 'bearer',
      description: openApiDocument.components.securitySchemes.bearerAuth!.description,
    });
    for (const [path, row] of Object.entries(specTable)) {
      const operation = operationOf(path);
      assert.deepEqual(operation.security, row.bearer ? [{ bearerAuth: [] }] : [], path);
      assert.equal(operation.requestBody === undefined, row.bearer, `${path}: a body exactly where there is no bearer token`);
    }
    assert.match(openApiDocument.info.description, /Device credentials .* travel in the JSON body/);
  });

  it('describes request bodies as closed objects of required, bounded strings', () => {
    const objectsOf = (schema: JsonSchema): JsonSchema[] => {
      const s = resolve(schema);
      return s.oneOf ? s.oneOf.flatMap(objectsOf) : [s];
    };
    const fieldsSeen = new Set<string>();
    for (const [path, row] of Object.entries(specTable)) {
      const operation = operationOf(path);
      if (!operation.requestBody) continue;
      assert.equal(operation.requestBody.required, true);
      const objects = objectsOf(jsonSchemaOf(operation.requestBody.content));
      for (const object of objects) {
        assert.equal(object.type, 'object', path);
        assert.equal(object.additionalProperties, false, path);
        assert.deepEqual([...(object.required ?? [])].sort(), Object.keys(object.properties ?? {}).sort(), `${path}: every field required`);
        for (const [name, property] of Object.entries(object.properties ?? {})) {
          fieldsSeen.add(name);
          assert.equal(property.type, 'string', `${path} ${name}`);
          assert.ok(property.maxLength !== undefined && property.maxLength <= appApiMaxStringLength, `${path} ${name} is bounded`);
          if (name === 'pin') assert.equal(property.pattern, '^[0-9]{5}$');
        }
      }
      if (row.body) assert.deepEqual(objects.map((o) => Object.keys(o.properties ?? {}).sort()), [[...row.body].sort()], path);
    }
    const secondFactor = objectsOf(jsonSchemaOf(operationOf('/login/second-factor').requestBody!.content));
    assert.deepEqual(secondFactor.map((o) => Object.keys(o.properties ?? {}).sort()), [['challengeId', 'code'], ['challengeId', 'recoveryCode']]);
    assert.ok(fieldsSeen.has('deviceSecret'));
  });

  it('describes the success bodies with the fields of the SPEC', () => {
    const fields = (name: string) => [...(openApiDocument.components.schemas[name]!.required ?? [])].sort();
    assert.deepEqual(fields('DeviceLogin'), ['account', 'deviceId', 'deviceSecret', 'pinRequired']);
    assert.deepEqual(fields('Account'), ['email', 'id', 'name', 'role']);
    assert.deepEqual(fields('SecondFactorChallenge'), ['challengeId', 'methods', 'secondFactorRequired']);
    assert.deepEqual(openApiDocument.components.schemas.SecondFactorChallenge!.properties?.methods?.items?.enum, ['totp', 'sms', 'recovery']);
    assert.deepEqual(fields('AccessToken'), ['accessToken', 'expiresInSeconds']);
    assert.deepEqual(fields('Me'), ['email', 'id', 'locale', 'name', 'organization', 'role']);
    assert.deepEqual(openApiDocument.components.schemas.Me!.properties?.organization?.required, ['slug', 'name']);
    const passwordLogin = jsonSchemaOf(operationOf('/login/password').responses['200']!.content);
    assert.deepEqual(passwordLogin.oneOf?.map((s) => s.$ref), ['#/components/schemas/DeviceLogin', '#/components/schemas/SecondFactorChallenge']);
  });

  it('resolves every $ref', () => {
    const visit = (value: unknown): void => {
      if (Array.isArray(value)) value.forEach(visit);
      else if (typeof value === 'object' && value !== null) {
        for (const [key, inner] of Object.entries(value)) {
          if (key === '$ref') resolve({ $ref: inner as string });
          else visit(inner);
        }
      }
    };
    visit(openApiDocument);
  });

  it('matches the paths and methods the client calls', async () => {
    const calls: string[] = [];
    const client = new IngangAppClient({
      baseUrl: 'http://org.localhost:3000',
      fetch: async (input, init) => {
        calls.push(`${init?.method ?? 'GET'} ${new URL(String(input)).pathname}`);
        return new Response(null, { status: 204 });
      },
    });
    await client.loginWithQr('t', 'd');
    await client.loginWithPassword('e', 'p', 'd');
    await client.loginSecondFactor('c', { code: '1' });
    await client.setPin('d', 's', '52817');
    await client.loginWithPin('d', 's', '52817');
    await client.resetPin('d', 's');
    await client.me('t');
    await client.logout('t');
    const documented = Object.entries(openApiDocument.paths).flatMap(([path, item]) =>
      Object.keys(item).map((method) => `${method.toUpperCase()} /api/app/v1${path}`),
    );
    assert.deepEqual([...calls].sort(), [...documented].sort());
  });
});
