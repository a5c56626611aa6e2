/**
 * The OpenAPI 3.1 document of the mobile app API (SPEC 5), served at `/api/app/v1/openapi.json`.
 * It describes exactly the SPEC 5 table plus the two generic answers every JSON call can get
 * (400 `invalid_request`, 413 `payload_too_large`). It is a plain JSON-serializable object.
 *
 * The request schemas document the contract; the PIN `pattern` in particular is documentation:
 * the server answers a wrongly formatted PIN with its own code (`invalid_pin_format` on `POST /pin`),
 * not with the generic `invalid_request` a schema validator would give.
 *
 * This file assembles the document; its parts are in `openapi/`: the calls (`paths.ts`), the
 * schemas of the bodies (`schemas.ts`), the error and success answers (`responses.ts`) and the
 * types (`types.ts`).
 */
import { deviceCredentialsNote, paths } from './openapi/paths.js';
import { schemas } from './openapi/schemas.js';
import type { OpenApiDocument } from './openapi/types.js';

export { appApiMaxStringLength } from './openapi/schemas.js';
export type { JsonSchema, OpenApiDocument, OpenApiMediaType, OpenApiOperation, OpenApiPathItem, OpenApiResponse } from './openapi/types.js';

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
  paths,
  components: {
    schemas,
    securitySchemes: {
      bearerAuth: {
        type: 'http',
        scheme: 'bearer',
        description: 'The `accessToken` of `POST /login/pin`: `Authorization: Bearer <accessToken>`, valid 15 minutes.',
      },
    },
  },
};
