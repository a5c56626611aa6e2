import { createHmac } from 'node:crypto';
import { normalizeEmail } from '../accounts/email.js';
import { noteThrottled } from '../audit/throttled.js';
import type { RequestContext } from '../audit/audit.js';
import type { Failure, Ok } from '../core/outcome.js';
import { clientIpKey, hitRateLimit, type RateLimitRule } from '../core/rate-limit.js';
import type { Deps } from '../deps.js';
import type { Organization } from '../tenants/organizations.js';

/**
 * SECURITY 37: the requests anyone may make without an account — forgot password and
 * registration — are counted per network and per address before anything is written. Over the
 * network's budget the form says to try later (that tells nothing about any address); over an
 * address's budget the answer stays "check your e-mail", the same as for every address, and
 * nothing is queued. Either way the burst is one audit row when it starts and one with its count
 * when its window ends (audit/throttled.ts).
 */
export const anonymousRequestLimits = {
  password_reset: { network: { limit: 20, windowSeconds: 15 * 60 }, address: { limit: 3, windowSeconds: 3600 } },
  registration: { network: { limit: 10, windowSeconds: 3600 }, address: { limit: 3, windowSeconds: 3600 } },
} as const satisfies Record<string, { network: RateLimitRule; address: RateLimitRule }>;

export type AnonymousRequest = keyof typeof anonymousRequestLimits;

export type Admission = Ok | Failure<'network_throttled', { retryAfterSeconds: number }> | Failure<'address_throttled'>;

/** The address as the counter knows it: normalized (a look-alike spelling is the same address), as a keyed digest, so the table of counters holds no addresses. */
function addressKey(deps: Deps, email: string): string {
  return createHmac('sha256', deps.config.secretKey).update(`anonymous-request-address:${normalizeEmail(email)}`).digest('base64url').slice(0, 32);
}

export async function admitAnonymousRequest(deps: Deps, org: Organization, client: RequestContext, request: AnonymousRequest, email: string): Promise<Admission> {
  const limits = anonymousRequestLimits[request];
  const now = deps.clock.now();
  const network = await hitRateLimit(deps.db, org.tenantId, `${request}_net:${clientIpKey(client.ip)}`, limits.network, now);
  if (!network.allowed) {
    await noteThrottled(deps.db, now, org.tenantId, client, { event: 'requests_throttled', request, scope: 'network' });
    return { ok: false, error: 'network_throttled', retryAfterSeconds: network.retryAfterSeconds };
  }
  const address = await hitRateLimit(deps.db, org.tenantId, `${request}_to:${addressKey(deps, email)}`, limits.address, now);
  if (!address.allowed) {
    await noteThrottled(deps.db, now, org.tenantId, client, { event: 'requests_throttled', request, scope: 'address' });
    return { ok: false, error: 'address_throttled' };
  }
  return { ok: true };
}
