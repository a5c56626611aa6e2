// The OpenAPI document (openapi.ts) against the SPEC 5 table, and against the calls the client makes.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { IngangAppClient } from './client.js';
import { appApiMaxStringLength, openApiDocument, type JsonSchema, type OpenApiOperation } from './openapi.js';

/** SPEC 5, the table: path → method, success status, error codes by status. */
const specTable: Record<string, { method: 'get' | 'post'; success: string; errors: Record<string, string[]>; body: string[] | null; bearer: boolean }> = {
  // The SPEC 5 table, plus the documented additions: 429 where guessing is throttled (SECURITY 9),
  // 403 two_factor_setup_required, and invalid_device / pin_not_set on /login/pin.
  '/login/qr': { method: 'post', success: '200', errors: { '401': ['invalid_token'], '429': ['rate_limited'] }, body: ['token', 'deviceName'], bearer: false },
  '/login/password': {
    method: 'post',
    success: '200',
    errors: { '401': ['invalid_credentials'], '403': ['two_factor_setup_required', 'passkey_required'], '429': ['rate_limited'] },
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
