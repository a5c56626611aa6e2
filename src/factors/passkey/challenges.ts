import type { Queryable } from '../../db/db.js';

/** How long a browser has for one passkey ceremony. */
export const challengeSeconds = 5 * 60;

/** `step_up`: a passkey in place of the password and code of a step-up (SPEC 11). */
export type ChallengePurpose = 'register' | 'login' | 'step_up';

/**
 * The challenge of a ceremony, bound to the browser session's login (its `login_id`) and, for a
 * registration, to the account: one per session and purpose, a new one replaces the old.
 */
export async function storeChallenge(db: Queryable, tenantId: string, loginId: string, purpose: ChallengePurpose, challenge: string, accountId: string | null, now: Date): Promise<void> {
  await db.query(
    `INSERT INTO passkey_challenge (tenant_id, login_id, purpose, challenge, account_id, expires_at) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (tenant_id, login_id, purpose) DO UPDATE SET challenge = EXCLUDED.challenge, account_id = EXCLUDED.account_id, expires_at = EXCLUDED.expires_at`,
    [tenantId, loginId, purpose, challenge, accountId, new Date(now.getTime() + challengeSeconds * 1000)],
  );
}

/** Takes the challenge (once: a second use of the same answer finds none). */
export async function takeChallenge(db: Queryable, tenantId: string, loginId: string, purpose: ChallengePurpose, now: Date): Promise<{ challenge: string; accountId: string | null } | null> {
  const rows = await db.query<{ challenge: string; account_id: string | null }>(
    'DELETE FROM passkey_challenge WHERE tenant_id = $1 AND login_id = $2 AND purpose = $3 AND expires_at > $4 RETURNING challenge, account_id',
    [tenantId, loginId, purpose, now],
  );
  return rows[0] ? { challenge: rows[0].challenge, accountId: rows[0].account_id } : null;
}

/** Maintenance: challenges nobody answered. */
export async function purgeExpiredChallenges(db: Queryable, now: Date, onlyTenantId: string | null = null): Promise<number> {
  const rows = await db.query('DELETE FROM passkey_challenge WHERE expires_at < $1 AND ($2::uuid IS NULL OR tenant_id = $2::uuid) RETURNING login_id', [now, onlyTenantId]);
  return rows.length;
}
