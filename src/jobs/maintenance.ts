import { fillEmailSkeletons } from '../accounts/accounts.js';
import { summarizeThrottledBursts } from '../audit/throttled.js';
import { purgeOldRateLimits } from '../core/rate-limit.js';
import type { Queryable } from '../db/db.js';
import { purgeExpiredChallenges } from '../factors/passkey/challenges.js';
import { sealUnsealedPhones } from '../factors/second-factor/store.js';
import { purgeOldSmsCodes } from '../factors/sms-code/store.js';
import { purgeExpiredOidcPayloads } from '../oidc/payload-store.js';
import { purgeStaleSessions } from '../sessions/web-sessions.js';

/** Delivered jobs (their bodies already scrubbed) are kept a month for the dev outbox and support. */
const keepDoneJobsDays = 30;

/**
 * Housekeeping that keeps tables from growing without bound: sessions nobody can use any more,
 * rate-limit windows long ended, SMS codes long expired, delivered jobs past their keeping time; it sums up throttled
 * bursts in one audit row each (SECURITY 37), and it seals phone numbers
 * stored before numbers were sealed. Failed jobs stay until an
 * operator looks at them; audit rows are never touched. Runs across organizations by design;
 * `onlyTenantId` limits it to one (tests share a database with other tests).
 */
export async function runMaintenance(
  db: Queryable,
  now: Date,
  options: { onlyTenantId?: string | null; secretKey?: Buffer } = {},
): Promise<{ sessions: number; throttleSummaries: number; rateLimits: number; smsCodes: number; oidcPayloads: number; passkeyChallenges: number; jobs: number; sealedPhones: number; emailSkeletons: number; lookAlikeEmails: { tenantId: string; email: string; lookAlikeOf: string }[] }> {
  const onlyTenantId = options.onlyTenantId ?? null;
  // Before the purge below: an ended window of throttled requests becomes one audit row first.
  const throttleSummaries = await summarizeThrottledBursts(db, now, onlyTenantId);
  const sessions = await purgeStaleSessions(db, now, onlyTenantId);
  const rateLimits = await purgeOldRateLimits(db, now, onlyTenantId);
  const smsCodes = await purgeOldSmsCodes(db, now, onlyTenantId);
  const oidcPayloads = await purgeExpiredOidcPayloads(db, now, onlyTenantId);
  const passkeyChallenges = await purgeExpiredChallenges(db, now, onlyTenantId);
  const jobs = await db.query('DELETE FROM job WHERE done_at IS NOT NULL AND done_at < $1 AND ($2::uuid IS NULL OR tenant_id = $2::uuid) RETURNING id', [
    new Date(now.getTime() - keepDoneJobsDays * 24 * 3600_000),
    onlyTenantId,
  ]);
  // Numbers stored before they were sealed are sealed now (SECURITY 45), a batch per pass.
  const sealedPhones = options.secretKey ? await sealUnsealedPhones(db, options.secretKey, onlyTenantId) : 0;
  // Accounts from before SECURITY 39 get their confusable skeleton, a batch per pass.
  const skeletons = await fillEmailSkeletons(db, onlyTenantId);
  return { sessions, throttleSummaries, rateLimits, smsCodes, oidcPayloads, passkeyChallenges, jobs: jobs.length, sealedPhones, emailSkeletons: skeletons.filled, lookAlikeEmails: skeletons.lookAlikes };
}
