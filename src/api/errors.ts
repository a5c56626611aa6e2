import type { FastifyError, FastifyReply } from 'fastify';
import { BadFormError } from '../http/form-body.js';
import { InvalidRequestError } from './input.js';

/** SPEC 5: errors are `{"error": "<code>"}` with the status given; extra fields where the table names them. */
export function fail(reply: FastifyReply, status: number, error: string, extra: Record<string, unknown> = {}): FastifyReply {
  return reply.code(status).send({ error, ...extra });
}

/** The status of each expected failure of the app's journeys (SPEC 5); any other failure is 401. */
const statusOf: Record<string, number> = {
  rate_limited: 429,
  two_factor_setup_required: 403,
  passkey_required: 403,
  invalid_pin_format: 400,
  weak_pin: 400,
  pin_already_set: 409,
  pin_not_set: 409,
};

/** A journey's failure as the API answers it: the code, its status, and the fields SPEC 5 names with it. */
export function failOutcome(reply: FastifyReply, outcome: { error: string; retryAfterSeconds?: number; attemptsLeft?: number }): FastifyReply {
  const extra: Record<string, unknown> = {};
  if (outcome.retryAfterSeconds !== undefined) extra.retryAfterSeconds = outcome.retryAfterSeconds;
  if (outcome.attemptsLeft !== undefined) extra.attemptsLeft = outcome.attemptsLeft;
  return fail(reply, statusOf[outcome.error] ?? 401, outcome.error, extra);
}

/** The JSON error of an error that escaped a handler, with a clear message for bad input (SECURITY 24). */
export function apiErrorBody(status: number, error: FastifyError): Record<string, string> {
  switch (status) {
    case 400:
      return { error: 'invalid_request', message: error instanceof InvalidRequestError || error instanceof BadFormError ? error.message : 'the body is not valid JSON of the expected shape' };
    case 404:
      return { error: 'not_found' };
    case 413:
      return { error: 'payload_too_large', message: 'the body is larger than 64 KiB' };
    case 415:
      return { error: 'unsupported_media_type', message: 'send application/json' };
    case 503:
      return { error: 'service_unavailable', message: 'try again in a minute; nothing was changed' };
    default:
      return status < 500 ? { error: 'request_refused' } : { error: 'internal_error' };
  }
}
