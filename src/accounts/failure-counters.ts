import type { Queryable } from '../db/db.js';
import type { Account } from './accounts.js';

/**
 * The failure counts that live on the account row: wrong passwords (the lockout of SECURITY 3)
 * and wrong codes in a row (SPEC 4.5). The rules that read them belong to the password and
 * second-factor modules; only the writes are here, with the table they write.
 */
export type PasswordFailures = Pick<Account, 'failedLoginCount' | 'lastFailedLoginAt'>;

/**
 * Counts one password attempt under a row lock (run it in a transaction), before its password is
 * checked, and returns the count as it stood before it: the lock is judged from that (SECURITY 3).
 */
export async function countPasswordAttempt(tx: Queryable, account: Pick<Account, 'tenantId' | 'id'>, now: Date): Promise<PasswordFailures> {
  const [row] = await tx.query<{ failed_login_count: number; last_failed_login_at: Date | null }>(
    'SELECT failed_login_count, last_failed_login_at FROM account WHERE tenant_id = $1 AND id = $2 FOR UPDATE',
    [account.tenantId, account.id],
  );
  await tx.query('UPDATE account SET failed_login_count = failed_login_count + 1, last_failed_login_at = $3 WHERE tenant_id = $1 AND id = $2', [
    account.tenantId,
    account.id,
    now,
  ]);
  return { failedLoginCount: row?.failed_login_count ?? 0, lastFailedLoginAt: row?.last_failed_login_at ?? null };
}

/** A right password, an unlock by staff or a new password: the run of failures starts anew. */
export async function clearFailedLogins(db: Queryable, tenantId: string, accountId: string): Promise<void> {
  await db.query('UPDATE account SET failed_login_count = 0, last_failed_login_at = NULL WHERE tenant_id = $1 AND id = $2 AND failed_login_count <> 0', [
    tenantId,
    accountId,
  ]);
}

export interface CodeFailureRules {
  /** Every this many wrong codes in a row lock code login. */
  lockEvery: number;
  lockSeconds: number;
  /** From this many in a row, only a staff reset opens code login again. */
  ceiling: number;
}

/**
 * Counts one code try against the account's run of failures, and in the same statement sets the
 * lock when this try completes a multiple of `lockEvery`. False when the account is locked or at
 * the ceiling (nothing is counted then).
 */
export async function reserveCodeTry(db: Queryable, account: Pick<Account, 'tenantId' | 'id'>, now: Date, rules: CodeFailureRules): Promise<boolean> {
  const reserved = await db.query(
    `UPDATE account SET
       second_factor_failures = second_factor_failures + 1,
       second_factor_locked_until = CASE WHEN (second_factor_failures + 1) % $4 = 0 THEN $5::timestamptz ELSE NULL END
     WHERE tenant_id = $1 AND id = $2
       AND (second_factor_locked_until IS NULL OR second_factor_locked_until <= $3)
       AND second_factor_failures < $6
     RETURNING second_factor_failures`,
    [account.tenantId, account.id, now, rules.lockEvery, new Date(now.getTime() + rules.lockSeconds * 1000), rules.ceiling],
  );
  return reserved.length === 1;
}

export async function readCodeFailures(db: Queryable, tenantId: string, accountId: string): Promise<{ failuresInARow: number; lockedUntil: Date | null }> {
  const [row] = await db.query<{ second_factor_failures: number; second_factor_locked_until: Date | null }>(
    'SELECT second_factor_failures, second_factor_locked_until FROM account WHERE tenant_id = $1 AND id = $2',
    [tenantId, accountId],
  );
  return { failuresInARow: row?.second_factor_failures ?? 0, lockedUntil: row?.second_factor_locked_until ?? null };
}

/** A right code, a staff reset or a new factor start the run of code failures anew. */
export async function clearCodeFailures(db: Queryable, tenantId: string, accountId: string): Promise<void> {
  await db.query('UPDATE account SET second_factor_failures = 0, second_factor_locked_until = NULL WHERE tenant_id = $1 AND id = $2', [tenantId, accountId]);
}

/** Held while the SMS send limits of an account are checked, so parallel sends cannot slip past them. */
export async function lockAccountRow(tx: Queryable, tenantId: string, accountId: string): Promise<void> {
  await tx.query('SELECT 1 FROM account WHERE tenant_id = $1 AND id = $2 FOR UPDATE', [tenantId, accountId]);
}
