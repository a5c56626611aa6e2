import { timingSafeEqual } from 'node:crypto';
import type { FastifyError, FastifyInstance } from 'fastify';
import type { Deps } from './deps.js';
import { errorStatus, logEscapedError } from './http/errors.js';
import { passwordVerificationCount } from './factors/password/hashing.js';
import { renderMetrics } from './core/metrics.js';

const responsesByStatusClass = new Map<string, number>();

export function countRequest(status: number): void {
  const key = `${Math.floor(status / 100)}xx`;
  responsesByStatusClass.set(key, (responsesByStatusClass.get(key) ?? 0) + 1);
}

function bearerMatches(header: string | undefined, token: string): boolean {
  const given = Buffer.from(header?.startsWith('Bearer ') ? header.slice(7) : '');
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * /healthz, /readyz and /metrics (SPEC 9): on any host, no organization needed. Registered in a
 * context of their own, with a JSON error answer that names no internals (a database that is
 * down is a 503, SECURITY 30).
 */
export async function registerOperationsSurface(app: FastifyInstance, deps: Deps): Promise<void> {
  app.setErrorHandler(async (error: FastifyError, request, reply) => {
    const status = errorStatus(error);
    logEscapedError(request, error, status);
    if (status === 503) reply.header('retry-after', '30');
    return reply.code(status).type('application/json').send({ status: status === 503 ? 'database_unavailable' : 'error' });
  });
  app.get('/healthz', async (_request, reply) => reply.type('application/json').send({ status: 'ok' }));

  app.get('/readyz', async (_request, reply) => {
    try {
      await deps.db.query('SELECT 1');
      return reply.type('application/json').send({ status: 'ready' });
    } catch {
      return reply.code(503).type('application/json').send({ status: 'database_unavailable' });
    }
  });

  app.get('/metrics', async (request, reply) => {
    const token = deps.config.metricsToken;
    if (!token) return reply.code(404).send();
    if (!bearerMatches(request.headers.authorization, token)) return reply.code(401).header('www-authenticate', 'Bearer').send();
    const queue = await deps.db.query<{ pending: number; failed: number }>(
      `SELECT count(*) FILTER (WHERE done_at IS NULL AND failed_at IS NULL)::int AS pending, count(*) FILTER (WHERE failed_at IS NOT NULL)::int AS failed FROM job`,
    );
    const lines = [
      '# HELP ingang_http_responses_total HTTP responses by status class.',
      '# TYPE ingang_http_responses_total counter',
      ...[...responsesByStatusClass].map(([cls, n]) => `ingang_http_responses_total{class="${cls}"} ${n}`),
      '# HELP ingang_password_verifications_total argon2id verifications run, dummy ones for unknown addresses included.',
      '# TYPE ingang_password_verifications_total counter',
      `ingang_password_verifications_total ${passwordVerificationCount()}`,
      '# HELP ingang_jobs_pending Outbox and background jobs waiting to run.',
      '# TYPE ingang_jobs_pending gauge',
      `ingang_jobs_pending ${queue[0]?.pending ?? 0}`,
      '# HELP ingang_jobs_failed Jobs that failed for good and wait for an operator.',
      '# TYPE ingang_jobs_failed gauge',
      `ingang_jobs_failed ${queue[0]?.failed ?? 0}`,
      '# HELP process_resident_memory_bytes Resident memory size in bytes.',
      '# TYPE process_resident_memory_bytes gauge',
      `process_resident_memory_bytes ${process.memoryUsage().rss}`,
      ...renderMetrics(),
    ];
    return reply.type('text/plain; version=0.0.4').send(`${lines.join('\n')}\n`);
  });
}
