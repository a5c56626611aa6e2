/**
 * The calls of the app API document (`paths`): the SPEC 5 table, each with its body, its success
 * and every error code by status.
 */
import { bodyErrors, errorResponse, guessing, invalidDevice, invalidToken, jsonBody, noContent, okJson, rateLimited } from './responses.js';
import { ref } from './schemas.js';
import type { OpenApiPathItem } from './types.js';

export const deviceCredentialsNote =
  'Device credentials (`deviceId`, `deviceSecret`) travel in the JSON body, never in a header or the URL.';

export const paths: Record<string, OpenApiPathItem> = {
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
            {
              code: 'passkey_required',
              description: 'Addition to SPEC 5: the account proves its second step with a passkey only (SPEC 11), which the app cannot ask; the user logs in in the browser and links the app with its QR code (`/account/app`).',
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
};
