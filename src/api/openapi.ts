/**
 * The OpenAPI 3.1 document of the mobile app API (SPEC 5), served at `/api/app/v1/openapi.json`.
 * It describes exactly the SPEC 5 table plus the two generic answers every JSON call can get
 * (400 `invalid_request`, 413 `payload_too_large`). It is a plain JSON-serializable object.
 *
 * The request schemas document the contract; the PIN `pattern` in particular is documentation:
 * the server answers a wrongly formatted PIN with its own code (`invalid_pin_format` on `POST /pin`),
 * not with the generic `invalid_request` a schema validator would give.
 */

/** The longest string any request field may hold; longer is a 400 `invalid_request`. */
export const appApiMaxStringLength = 512;

/** A JSON Schema (2020-12, the OpenAPI 3.1 dialect), as far as this document uses it. */
export interface JsonSchema {
  $ref?: string;
  type?: 'object' | 'string' | 'integer' | 'boolean' | 'array';
  description?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean;
  items?: JsonSchema;
  enum?: string[];
  const?: string | boolean;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  minItems?: number;
  uniqueItems?: boolean;
  allOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  examples?: unknown[];
}

export interface OpenApiMediaType {
  schema: JsonSchema;
}

export interface OpenApiResponse {
  description: string;
  content?: Record<string, OpenApiMediaType>;
}

export interface OpenApiOperation {
  operationId: string;
  summary: string;
  description: string;
  tags: string[];
  /** `[]`: no access token; `[{ bearerAuth: [] }]`: `Authorization: Bearer <accessToken>`. */
  security: Record<string, string[]>[];
  requestBody?: { required: true; description: string; content: Record<string, OpenApiMediaType> };
  responses: Record<string, OpenApiResponse>;
}

export interface OpenApiPathItem {
  get?: OpenApiOperation;
  post?: OpenApiOperation;
}

export interface OpenApiDocument {
  openapi: '3.1.0';
  jsonSchemaDialect: string;
  info: { title: string; version: string; description: string };
  servers: { url: string; description: string }[];
  tags: { name: string; description: string }[];
  paths: Record<string, OpenApiPathItem>;
  components: {
    schemas: Record<string, JsonSchema>;
    securitySchemes: Record<string, { type: 'http'; scheme: 'bearer'; description: string }>;
  };
}

const json = 'application/json';
const ref = (name: string): JsonSchema => ({ $ref: `#/components/schemas/${name}` });

/** A request field: a required string (every request field is one). */
const field = (description: string, extra: JsonSchema = {}): JsonSchema => ({
  type: 'string',
  maxLength: appApiMaxStringLength,
  description,
  ...extra,
});

/** A request body: an object of required string fields and nothing else. */
function requestObject(description: string, properties: Record<string, JsonSchema>): JsonSchema {
  return { type: 'object', description, required: Object.keys(properties), properties, additionalProperties: false };
}

const deviceIdField = field('The `deviceId` from the login answer.');
const deviceSecretField = field('The `deviceSecret` from the login answer (returned once; keep it in the secure storage of the phone).');
const deviceNameField = field('A name for this device, shown to the user under their devices and in the e-mail about the new device, e.g. "iPhone of Anna".');

interface ErrorCase {
  code: string;
  description: string;
  /** Extra required integer properties of this error body. */
  extra?: Record<string, JsonSchema>;
}

const invalidRequest: ErrorCase = {
  code: 'invalid_request',
  description: 'The body is not a JSON object as described: malformed JSON, not JSON, a missing or unknown field, a field of the wrong type or too long.',
};
const payloadTooLarge: ErrorCase = { code: 'payload_too_large', description: 'The body is larger than the server accepts.' };
const rateLimited: ErrorCase = {
  code: 'rate_limited',
  description: 'Too many attempts; try again after `retryAfterSeconds`.',
  extra: { retryAfterSeconds: { type: 'integer', minimum: 1, description: 'Seconds to wait before trying again.' } },
};
/** Guessing tokens, device secrets or challenges is throttled per client network (SECURITY 9). */
const guessing: ErrorCase = { ...rateLimited, description: 'Addition to SPEC 5: too many wrong tokens, device secrets or challenges from this network; wait `retryAfterSeconds`.' };

const invalidDevice: ErrorCase = { code: 'invalid_device', description: 'The device is unknown, removed, or the device secret is wrong.' };
const invalidToken = (description: string): ErrorCase => ({ code: 'invalid_token', description });

/** One error code's body: the `Error` object with `error` fixed to the code. */
function errorCaseSchema(errorCase: ErrorCase): JsonSchema {
  const extra = errorCase.extra ?? {};
  return {
    description: errorCase.description,
    allOf: [
      ref('Error'),
      {
        type: 'object',
        required: ['error', ...Object.keys(extra)],
        properties: { error: { type: 'string', const: errorCase.code }, ...extra },
      },
    ],
  };
}

function errorResponse(cases: ErrorCase[]): OpenApiResponse {
  const codes = cases.map((c) => `\`${c.code}\``).join(', ');
  const schemas = cases.map(errorCaseSchema);
  return {
    description: `Error: ${codes}. ${cases.map((c) => `\`${c.code}\`: ${c.description}`).join(' ')}`,
    content: { [json]: { schema: schemas.length === 1 ? schemas[0]! : { oneOf: schemas } } },
  };
}

const okJson = (description: string, schema: JsonSchema): OpenApiResponse => ({ description, content: { [json]: { schema } } });
const noContent = (description: string): OpenApiResponse => ({ description });

function jsonBody(description: string, schema: JsonSchema): NonNullable<OpenApiOperation['requestBody']> {
  return { required: true, description, content: { [json]: { schema } } };
}

/** Errors of a call with a JSON body: the table's, plus 400 `invalid_request` and 413 `payload_too_large`. */
function bodyErrors(byStatus: Record<string, ErrorCase[]>): Record<string, OpenApiResponse> {
  const withGeneric: Record<string, ErrorCase[]> = { ...byStatus, '400': [...(byStatus['400'] ?? []), invalidRequest], '413': [payloadTooLarge] };
  const sorted = Object.keys(withGeneric).sort();
  return Object.fromEntries(sorted.map((status) => [status, errorResponse(withGeneric[status]!)]));
}

const deviceCredentialsNote =
  'Device credentials (`deviceId`, `deviceSecret`) travel in the JSON body, never in a header or the URL.';

export const openApiDocument: OpenApiDocument = {
  openapi: '3.1.0',
  jsonSchemaDialect: 'https://spec.openapis.org/oas/3.1/dialect/base',
  info: {
    title: 'Ingang mobile app API',
    version: '1.0.0',
    description: [
      'The JSON API of the Ingang mobile app, on the host of each organization: `https://<org host>/api/app/v1`.',
      'An account, device, token or code of one organization never works on the host of another.',
      '',
      'Requests and responses are JSON (`Content-Type: application/json`). Errors are `{"error": "<code>"}` with the status given per call.',
      deviceCredentialsNote,
      'Access tokens travel as `Authorization: Bearer <accessToken>`.',
      '',
      'Flow: link the device with `POST /login/qr` (the QR code of the web page `/account/app`) or `POST /login/password`',
      '(then `POST /login/second-factor` when the account has two-step verification). The answer holds `deviceId` and',
      '`deviceSecret` (returned once). Set the PIN with `POST /pin`; until then the device can do nothing else.',
      'Unlock with `POST /login/pin` for an access token valid 15 minutes. Forgot the PIN: `POST /pin/reset` removes',
      'the device; log in again. Five wrong PINs in a row remove the device as well.',
    ].join('\n'),
  },
  servers: [{ url: '/api/app/v1', description: 'On the host of the organization: https://<org host>/api/app/v1' }],
  tags: [
    { name: 'login', description: 'Linking a device to an account.' },
    { name: 'pin', description: 'The PIN that unlocks one linked device.' },
    { name: 'session', description: 'Calls with an access token.' },
  ],
  paths: {
    '/login/qr': {
      post: {
        operationId: 'loginWithQr',
        summary: 'Link this device with the QR code shown on /account/app',
        description: `The QR code encodes \`https://<org host>/app/login#<token>\`; send the token (the part after \`#\`) to the same host. The token is valid 2 minutes and works once. No second factor is asked: the web session that showed the code passed it. ${deviceCredentialsNote}`,
        tags: ['login'],
        security: [],
        requestBody: jsonBody('The token of the QR code and a name for the device.', ref('QrLoginRequest')),
        responses: {
          '200': okJson('The device is linked; set its PIN next (`POST /pin`).', ref('DeviceLogin')),
          ...bodyErrors({
            '401': [invalidToken('The token is unknown, used, expired or of another organization: all get the same answer.')],
            '429': [guessing],
          }),
        },
      },
    },
    '/login/password': {
      post: {
        operationId: 'loginWithPassword',
        summary: 'Link this device with e-mail address and password',
        description: 'When the account has two-step verification, the answer is a challenge instead of device credentials; finish with `POST /login/second-factor`.',
        tags: ['login'],
        security: [],
        requestBody: jsonBody('E-mail address, password and a name for the device.', ref('PasswordLoginRequest')),
        responses: {
          '200': okJson('The device is linked, or a second factor is required.', { oneOf: [ref('DeviceLogin'), ref('SecondFactorChallenge')] }),
          ...bodyErrors({
            '401': [{ code: 'invalid_credentials', description: 'Wrong password, unknown address, deactivated, invited or locked account: all get the same answer.' }],
            '403': [
              {
                code: 'two_factor_setup_required',
                description: 'Addition to SPEC 5: the organization requires two-step verification for this account and it is not set up; the app cannot set it up, so the user logs in once in the browser first.',
              },
            ],
            '429': [rateLimited],
          }),
        },
      },
    },
    '/login/second-factor': {
      post: {
        operationId: 'loginSecondFactor',
        summary: 'Answer the second-factor challenge of an e-mail login',
        description: 'Send either `code` (from the authenticator app or the SMS) or `recoveryCode`, never both.',
        tags: ['login'],
        security: [],
        requestBody: jsonBody('The challenge and a code or a recovery code.', ref('SecondFactorRequest')),
        responses: {
          '200': okJson('The device is linked; set its PIN next (`POST /pin`).', ref('DeviceLogin')),
          ...bodyErrors({
            '401': [
              { code: 'invalid_code', description: 'The code or recovery code is wrong.' },
              { code: 'challenge_expired', description: 'The challenge is unknown, used, expired or ended by too many wrong codes; log in again.' },
            ],
            '429': [rateLimited],
          }),
        },
      },
    },
    '/pin': {
      post: {
        operationId: 'setPin',
        summary: 'Set the first PIN of a newly linked device',
        description: `The PIN is exactly 5 digits; one digit repeated and ascending or descending runs (\`12345\`, \`54321\`, \`01234\`) are refused as weak. ${deviceCredentialsNote}`,
        tags: ['pin'],
        security: [],
        requestBody: jsonBody('The device credentials and the new PIN.', ref('SetPinRequest')),
        responses: {
          '204': noContent('The PIN is set; unlock with `POST /login/pin`.'),
          ...bodyErrors({
            '400': [
              { code: 'invalid_pin_format', description: 'The PIN is not exactly 5 digits.' },
              { code: 'weak_pin', description: 'The PIN is one digit repeated or an ascending or descending run.' },
            ],
            '401': [invalidDevice],
            '409': [{ code: 'pin_already_set', description: 'This device already has a PIN; forgot it? `POST /pin/reset`.' }],
            '429': [guessing],
          }),
        },
      },
    },
    '/login/pin': {
      post: {
        operationId: 'loginWithPin',
        summary: 'Unlock the device with its PIN for an access token',
        description: `The PIN unlocks this one device, never an account. Five wrong PINs in a row remove the device (\`device_revoked\`); a correct PIN resets the count. ${deviceCredentialsNote}`,
        tags: ['pin'],
        security: [],
        requestBody: jsonBody('The device credentials and the PIN.', ref('PinLoginRequest')),
        responses: {
          '200': okJson('An access token, valid 15 minutes.', ref('AccessToken')),
          ...bodyErrors({
            '401': [
              {
                code: 'invalid_pin',
                description: 'The PIN is wrong; `attemptsLeft` wrong PINs more remove the device.',
                extra: { attemptsLeft: { type: 'integer', minimum: 0, description: 'Wrong PINs left before the device is removed.' } },
              },
              { code: 'device_revoked', description: 'The device was removed (too many wrong PINs, by the user, or a password reset); log in again.' },
              { code: 'invalid_device', description: 'Addition to SPEC 5: the device id or secret is wrong; no PIN is checked without them.' },
            ],
            '409': [{ code: 'pin_not_set', description: 'Addition to SPEC 5: this device has no PIN yet; set it first with `POST /pin`.' }],
            '429': [guessing],
          }),
        },
      },
    },
    '/pin/reset': {
      post: {
        operationId: 'resetPin',
        summary: 'Forgot the PIN: remove this device',
        description: `Removes the device; log in again with a QR code or e-mail and password, then set a new PIN. ${deviceCredentialsNote}`,
        tags: ['pin'],
        security: [],
        requestBody: jsonBody('The device credentials.', ref('DeviceCredentials')),
        responses: {
          '204': noContent('The device is removed.'),
          ...bodyErrors({ '401': [invalidDevice] }),
        },
      },
    },
    '/me': {
      get: {
        operationId: 'me',
        summary: 'The account of the access token',
        description: 'Needs `Authorization: Bearer <accessToken>`.',
        tags: ['session'],
        security: [{ bearerAuth: [] }],
        responses: {
          '200': okJson('The account and its organization.', ref('Me')),
          '401': errorResponse([invalidToken('The access token is missing, unknown, expired, ended by logout, or its device was removed.')]),
        },
      },
    },
    '/logout': {
      post: {
        operationId: 'logout',
        summary: 'End the access token',
        description: 'Needs `Authorization: Bearer <accessToken>`; no body. The device stays linked: unlock again with the PIN.',
        tags: ['session'],
        security: [{ bearerAuth: [] }],
        responses: {
          '204': noContent('The access token no longer works.'),
          '401': errorResponse([invalidToken('The access token is missing, unknown, expired or already ended.')]),
        },
      },
    },
  },
  components: {
    schemas: {
      Error: {
        type: 'object',
        description: 'Every error answer. `attemptsLeft` comes only with `invalid_pin`, `retryAfterSeconds` only with `rate_limited`.',
        required: ['error'],
        properties: {
          error: { type: 'string', description: 'A machine-readable code, e.g. `invalid_token`.' },
          attemptsLeft: { type: 'integer', minimum: 0, description: 'With `invalid_pin`: wrong PINs left before the device is removed.' },
          retryAfterSeconds: { type: 'integer', minimum: 1, description: 'With `rate_limited`: seconds to wait before trying again.' },
        },
      },
      Account: {
        type: 'object',
        description: 'The account a login linked the device to.',
        required: ['id', 'name', 'email', 'role'],
        properties: {
          id: { type: 'string' },
          name: { type: 'string' },
          email: { type: 'string', description: 'As the user typed it.' },
          role: ref('Role'),
        },
      },
      Role: { type: 'string', enum: ['client', 'professional', 'helpdesk', 'admin'] },
      DeviceLogin: {
        type: 'object',
        description: 'The device is linked. `deviceSecret` (at least 256 random bits) is returned only here, once; the server keeps only its hash.',
        required: ['deviceId', 'deviceSecret', 'pinRequired', 'account'],
        properties: {
          deviceId: { type: 'string' },
          deviceSecret: { type: 'string' },
          pinRequired: { type: 'boolean', const: true, description: 'Always true: set the PIN next (`POST /pin`).' },
          account: ref('Account'),
          recoveryCodesLeft: {
            type: 'integer',
            minimum: 0,
            description: 'Addition to SPEC 5, only in the answer of `/login/second-factor` to a recovery code: how many unused recovery codes are left (SPEC 4.5). Show it to the user.',
          },
        },
      },
      SecondFactorChallenge: {
        type: 'object',
        description: 'The account has two-step verification: answer with `POST /login/second-factor`.',
        required: ['secondFactorRequired', 'challengeId', 'methods'],
        properties: {
          secondFactorRequired: { type: 'boolean', const: true },
          challengeId: { type: 'string' },
          methods: {
            type: 'array',
            description: 'What the user can answer with: `totp` (authenticator app), `sms` (a code sent by text message), `recovery` (a recovery code).',
            minItems: 1,
            uniqueItems: true,
            items: { type: 'string', enum: ['totp', 'sms', 'recovery'] },
          },
        },
      },
      AccessToken: {
        type: 'object',
        required: ['accessToken', 'expiresInSeconds'],
        properties: {
          accessToken: { type: 'string', description: 'Send as `Authorization: Bearer <accessToken>`.' },
          expiresInSeconds: { type: 'integer', minimum: 1, description: 'Seconds the token is valid (15 minutes).', examples: [900] },
        },
      },
      Me: {
        type: 'object',
        required: ['id', 'name', 'email', 'role', 'locale', 'organization'],
        properties: {
          id: { type: 'string' },
          name: { type: 'string' },
          email: { type: 'string' },
          role: ref('Role'),
          locale: { type: 'string', enum: ['nl', 'en'], description: "The account's language (the organization's default when the account has none)." },
          organization: {
            type: 'object',
            required: ['slug', 'name'],
            properties: { slug: { type: 'string' }, name: { type: 'string' } },
          },
        },
      },
      QrLoginRequest: requestObject('Link a device with a QR code.', {
        token: field('The token of the QR code: the part of `https://<org host>/app/login#<token>` after `#`.'),
        deviceName: deviceNameField,
      }),
      PasswordLoginRequest: requestObject('Link a device with e-mail address and password.', {
        email: field('The e-mail address of the account.'),
        password: field('The password of the account.'),
        deviceName: deviceNameField,
      }),
      SecondFactorRequest: {
        description: 'The challenge and either `code` or `recoveryCode`.',
        oneOf: [
          requestObject('With a code from the authenticator app or the SMS.', {
            challengeId: field('The `challengeId` from `POST /login/password`.'),
            code: field('The 6-digit code.'),
          }),
          requestObject('With a recovery code (case and dashes do not matter).', {
            challengeId: field('The `challengeId` from `POST /login/password`.'),
            recoveryCode: field('A recovery code, e.g. `ABCD-EFGH-JKLM-NPQR`.'),
          }),
        ],
      },
      SetPinRequest: requestObject('Set the first PIN. Device credentials travel in the body.', {
        deviceId: deviceIdField,
        deviceSecret: deviceSecretField,
        pin: field('Exactly 5 digits, not weak.', { pattern: '^[0-9]{5}$' }),
      }),
      PinLoginRequest: requestObject('Unlock with the PIN. Device credentials travel in the body.', {
        deviceId: deviceIdField,
        deviceSecret: deviceSecretField,
        pin: field('The PIN: exactly 5 digits.', { pattern: '^[0-9]{5}$' }),
      }),
      DeviceCredentials: requestObject('The device credentials, in the body.', {
        deviceId: deviceIdField,
        deviceSecret: deviceSecretField,
      }),
    },
    securitySchemes: {
      bearerAuth: {
        type: 'http',
        scheme: 'bearer',
        description: 'The `accessToken` of `POST /login/pin`: `Authorization: Bearer <accessToken>`, valid 15 minutes.',
      },
    },
  },
};
