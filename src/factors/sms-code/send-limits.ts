import { createHmac } from 'node:crypto';
import type { RequestContext } from '../../audit/audit.js';
import { counter } from '../../core/metrics.js';
import { clientIpKey, hitRateLimit, refundRateLimit, type RateLimitRule } from '../../core/rate-limit.js';
import { deriveKey } from '../../core/secret-box.js';
import type { Queryable } from '../../db/db.js';
import type { Deps } from '../../deps.js';
import type { Organization } from '../../tenants/organizations.js';

/**
 * SECURITY 36: the limits on SMS beyond each account's own (SPEC 4.5), against SMS pumping (an
 * attacker earning from messages to paid numbers) and bombing (one victim flooded): per destination
 * number across every account of the org, per client network, and per org per day
 * (`smsDailyLimit`). A send is counted before it goes out, and given back if the provider fails.
 */
export const smsSendLimits = {
  perDestination: { limit: 5, windowSeconds: 3600 },
  perNetwork: { limit: 30, windowSeconds: 3600 },
  organizationWindowSeconds: 24 * 3600,
} as const;

export type SmsLimit = 'destination' | 'network' | 'organization';

const limited = counter('ingang_sms_limited_total', 'SMS sends refused because a limit on SMS was reached (SECURITY 36), by limit.');

/** The destination as the counter knows it: a keyed digest per org, no number in the table. */
function destinationKey(deps: Deps, org: Organization, e164: string): string {
  const digest = createHmac('sha256', deriveKey(deps.config.secretKey, 'ingang sms destination v1')).update(`${org.tenantId}:${e164}`).digest('base64url');
  return `sms_to:${digest.slice(0, 32)}`;
}

function limitsFor(deps: Deps, org: Organization, client: RequestContext, e164: string): [SmsLimit, string, RateLimitRule][] {
  return [
    ['destination', destinationKey(deps, org, e164), smsSendLimits.perDestination],
    ['network', `sms_from:${clientIpKey(client.ip)}`, smsSendLimits.perNetwork],
    ['organization', 'sms_org_day', { limit: org.policy.smsDailyLimit, windowSeconds: smsSendLimits.organizationWindowSeconds }],
  ];
}

export type SmsReservation = { ok: true; release: (db: Queryable) => Promise<void> } | { ok: false; limit: SmsLimit; retryAfterSeconds: number };

/** When the first refusal of a window was logged, per org and limit: one line per window, not one per send. */
const lastLogged = new Map<string, number>();

/**
 * Counts one send against every limit, in the caller's transaction. Over any, nothing stays
 * counted, and the refusal is counted in /metrics and logged once per window.
 */
export async function reserveSmsSend(db: Queryable, deps: Deps, org: Organization, client: RequestContext, e164: string): Promise<SmsReservation> {
  const now = deps.clock.now();
  const counted: string[] = [];
  for (const [limit, key, rule] of limitsFor(deps, org, client, e164)) {
    const hit = await hitRateLimit(db, org.tenantId, key, rule, now);
    counted.push(key);
    if (!hit.allowed) {
      for (const done of counted) await refundRateLimit(db, org.tenantId, done);
      limited.add({ limit });
      const logKey = `${org.tenantId}:${limit}`;
      if ((lastLogged.get(logKey) ?? 0) < now.getTime() - rule.windowSeconds * 1000) {
        lastLogged.set(logKey, now.getTime());
        deps.log.warn({ tenantId: org.tenantId, limit, max: rule.limit, windowSeconds: rule.windowSeconds, network: limit === 'network' ? clientIpKey(client.ip) : undefined }, 'SMS limit reached');
      }
      return { ok: false, limit, retryAfterSeconds: hit.retryAfterSeconds };
    }
  }
  return {
    ok: true,
    release: async (into) => {
      for (const key of counted) await refundRateLimit(into, org.tenantId, key);
    },
  };
}
