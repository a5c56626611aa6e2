import { addSeconds, type Clock } from '../core/clock.js';
import type { RandomSource } from '../core/random.js';
import { issueToken, parseToken, secretMatches } from '../core/token.js';
import type { Queryable } from '../db/db.js';

/**
 * An app login waiting for its second factor: the app's counterpart of a browser session that
 * passed the password step (the login journey treats both as one kind of login attempt). It
 * lives 5 minutes and ends when the code is right, when its budget is spent, or with the account's
 * access.
 */
export const appChallengeSeconds = 5 * 60;

export interface AppLoginChallenge {
  tenantId: string;
  id: string;
  accountId: string;
  deviceName: string;
  createdAt: Date;
}

interface Row {
  tenant_id: string;
  id: string;
  account_id: string;
  secret_hash: Uint8Array;
  device_name: string;
  created_at: Date;
}

const toChallenge = (row: Row): AppLoginChallenge => ({ tenantId: row.tenant_id, id: row.id, accountId: row.account_id, deviceName: row.device_name, createdAt: row.created_at });

/** A new challenge after a right password; its token (`id.secret`, the `challengeId` of SPEC 5) is returned once. */
export async function createAppChallenge(
  db: Queryable,
  deps: { clock: Clock; random: RandomSource },
  input: { tenantId: string; accountId: string; deviceName: string },
): Promise<{ challenge: AppLoginChallenge; token: string }> {
  const token = issueToken(deps.random);
  const now = deps.clock.now();
  const [row] = await db.query<Row>(
    `INSERT INTO app_login_challenge (tenant_id, id, account_id, secret_hash, device_name, created_at, expires_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING tenant_id, id, account_id, secret_hash, device_name, created_at`,
    [input.tenantId, token.id, input.accountId, token.secretHash, input.deviceName.slice(0, 100), now, addSeconds(now, appChallengeSeconds)],
  );
  return { challenge: toChallenge(row!), token: token.token };
}

/** The open challenge a token names in this organization, or null (unknown, forged, ended, expired, other org's). */
export async function findOpenAppChallenge(db: Queryable, tenantId: string, token: string, now: Date): Promise<AppLoginChallenge | null> {
  const parsed = parseToken(token);
  if (!parsed) return null;
  const [row] = await db.query<Row>(
    `SELECT tenant_id, id, account_id, secret_hash, device_name, created_at FROM app_login_challenge
      WHERE tenant_id = $1 AND id = $2 AND completed_at IS NULL AND expires_at > $3`,
    [tenantId, parsed.id, now],
  );
  return row && secretMatches(parsed.secret, row.secret_hash) ? toChallenge(row) : null;
}

/** Compare-and-set: of two right codes for one challenge, one completes it. */
export async function completeAppChallenge(db: Queryable, tenantId: string, challengeId: string, now: Date): Promise<boolean> {
  const rows = await db.query('UPDATE app_login_challenge SET completed_at = $3 WHERE tenant_id = $1 AND id = $2 AND completed_at IS NULL RETURNING id', [
    tenantId,
    challengeId,
    now,
  ]);
  return rows.length === 1;
}

/** Ends one challenge (its code budget is spent): the app starts again with the password. */
export async function endAppChallenge(db: Queryable, tenantId: string, challengeId: string, now: Date): Promise<void> {
  await db.query('UPDATE app_login_challenge SET expires_at = $3 WHERE tenant_id = $1 AND id = $2 AND expires_at > $3', [tenantId, challengeId, now]);
}

/** Ends every app login of the account still waiting for its code (reset, deactivation, staff 2FA reset). */
export async function endAccountAppChallenges(db: Queryable, tenantId: string, accountId: string, now: Date): Promise<void> {
  await db.query('UPDATE app_login_challenge SET expires_at = $3 WHERE tenant_id = $1 AND account_id = $2 AND completed_at IS NULL AND expires_at > $3', [
    tenantId,
    accountId,
    now,
  ]);
}

/** Counts one code try of this challenge if it has any left; the count after it, or null when none were left. */
export async function reserveChallengeCodeTry(db: Queryable, tenantId: string, challengeId: string, tries: number): Promise<number | null> {
  const [row] = await db.query<{ code_failures: number }>(
    'UPDATE app_login_challenge SET code_failures = code_failures + 1 WHERE tenant_id = $1 AND id = $2 AND code_failures < $3 RETURNING code_failures',
    [tenantId, challengeId, tries],
  );
  return row ? row.code_failures : null;
}

export async function resetChallengeCodeTries(db: Queryable, tenantId: string, challengeId: string): Promise<void> {
  await db.query('UPDATE app_login_challenge SET code_failures = 0 WHERE tenant_id = $1 AND id = $2', [tenantId, challengeId]);
}
