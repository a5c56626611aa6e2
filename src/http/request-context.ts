import type { FastifyRequest } from 'fastify';
import type { RequestContext } from '../audit/audit.js';

/** Where a request came from, for the audit trail and the per-network budgets; the same for every surface. */
export function clientOf(request: FastifyRequest): RequestContext {
  const userAgent = request.headers['user-agent'];
  return { ip: request.ip ?? null, userAgent: typeof userAgent === 'string' ? userAgent : null, requestId: String(request.id) };
}
