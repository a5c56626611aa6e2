/**
 * The answers of the app API document: the error cases and how each becomes a response (the
 * `Error` object with `error` fixed to its code), the success answers and the JSON request body.
 */
import { ref } from './schemas.js';
import type { JsonSchema, OpenApiOperation, OpenApiResponse } from './types.js';

const json = 'application/json';

export interface ErrorCase {
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
export const rateLimited: ErrorCase = {
  code: 'rate_limited',
  description: 'Too many attempts; try again after `retryAfterSeconds`.',
  extra: { retryAfterSeconds: { type: 'integer', minimum: 1, description: 'Seconds to wait before trying again.' } },
};
/** Guessing tokens, device secrets or challenges is throttled per client network (SECURITY 9). */
export const guessing: ErrorCase = { ...rateLimited, description: 'Addition to SPEC 5: too many wrong tokens, device secrets or challenges from this network; wait `retryAfterSeconds`.' };

export const invalidDevice: ErrorCase = { code: 'invalid_device', description: 'The device is unknown, removed, or the device secret is wrong.' };
export const invalidToken = (description: string): ErrorCase => ({ code: 'invalid_token', description });

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

export function errorResponse(cases: ErrorCase[]): OpenApiResponse {
  const codes = cases.map((c) => `\`${c.code}\``).join(', ');
  const schemas = cases.map(errorCaseSchema);
  return {
    description: `Error: ${codes}. ${cases.map((c) => `\`${c.code}\`: ${c.description}`).join(' ')}`,
    content: { [json]: { schema: schemas.length === 1 ? schemas[0]! : { oneOf: schemas } } },
  };
}

export const okJson = (description: string, schema: JsonSchema): OpenApiResponse => ({ description, content: { [json]: { schema } } });
export const noContent = (description: string): OpenApiResponse => ({ description });

export function jsonBody(description: string, schema: JsonSchema): NonNullable<OpenApiOperation['requestBody']> {
  return { required: true, description, content: { [json]: { schema } } };
}

/** Errors of a call with a JSON body: the table's, plus 400 `invalid_request` and 413 `payload_too_large`. */
export function bodyErrors(byStatus: Record<string, ErrorCase[]>): Record<string, OpenApiResponse> {
  const withGeneric: Record<string, ErrorCase[]> = { ...byStatus, '400': [...(byStatus['400'] ?? []), invalidRequest], '413': [payloadTooLarge] };
  const sorted = Object.keys(withGeneric).sort();
  return Object.fromEntries(sorted.map((status) => [status, errorResponse(withGeneric[status]!)]));
}
