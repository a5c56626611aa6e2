import type { FastifyError, FastifyRequest } from 'fastify';
import { DatabaseUnavailableError } from '../db/db.js';
import { WorkQueueFullError } from '../core/work-queue.js';
import { BadFormError } from './form-body.js';

/**
 * The status an error that escaped a handler answers with, for every surface: 503 when the
 * database is gone (nothing was changed), 400 for unreadable input, else the error's own status,
 * else 500 (SECURITY 24, 30).
 */
export function errorStatus(error: FastifyError): number {
  if (error instanceof DatabaseUnavailableError || isDatabaseDown(error)) return 503;
  if (error instanceof BadFormError) return 400;
  const status = error.statusCode ?? 500;
  return status >= 400 && status < 600 ? status : 500;
}

function isDatabaseDown(error: unknown): boolean {
  const message = error instanceof Error ? error.message : '';
  return /PGlite is closed|database is closed|ECONNREFUSED/i.test(message);
}

/** A fault is logged as an error with its stack; a refusal (bad input, database away, a full work queue) as a warning with its message only. */
export function logEscapedError(request: FastifyRequest, error: FastifyError, status: number): void {
  if (status >= 500 && !(error instanceof DatabaseUnavailableError) && !(error instanceof WorkQueueFullError)) request.log.error({ err: error }, 'request failed');
  else request.log.warn({ err: { message: error.message, code: error.code } }, 'request refused');
}
