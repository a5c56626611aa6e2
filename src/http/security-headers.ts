import type { FastifyReply } from 'fastify';
import type { Config } from '../config.js';

/** SECURITY 21: the CSP of every answer; no inline script, forms post to this origin only. */
export const contentSecurityPolicy =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; object-src 'none'; base-uri 'none'";

export function setSecurityHeaders(config: Config, reply: FastifyReply): void {
  // An answer may only tighten it: the uploaded images set a stricter one of their own.
  if (!reply.hasHeader('content-security-policy')) reply.header('content-security-policy', contentSecurityPolicy);
  reply.header('x-frame-options', 'DENY');
  reply.header('x-content-type-options', 'nosniff');
  // Links carry tokens in their path: no page ever sends its address on as a referrer.
  reply.header('referrer-policy', 'no-referrer');
  if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
  if (config.publicScheme === 'https') reply.header('strict-transport-security', 'max-age=31536000; includeSubDomains');
}
