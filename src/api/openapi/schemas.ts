/**
 * The schemas of the app API document (`components.schemas`): the request bodies, closed objects
 * of required, bounded strings, and the success and error bodies of SPEC 5.
 */
import type { JsonSchema } from './types.js';

/** The longest string any request field may hold; longer is a 400 `invalid_request`. */
export const appApiMaxStringLength = 512;

export const ref = (name: string): JsonSchema => ({ $ref: `#/components/schemas/${name}` });

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

export const schemas: Record<string, JsonSchema> = {
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
};
