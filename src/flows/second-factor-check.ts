import type { Account } from '../accounts/accounts.js';
import { recordAudit, type RequestContext } from '../audit/audit.js';
import type { Queryable } from '../db/db.js';
import type { Deps } from '../deps.js';
import { useRecoveryCode } from '../factors/recovery-codes/store.js';
import { claimTotpStep, findActiveFactor, type SecondFactor } from '../factors/second-factor/store.js';
import { verifySmsCode, type SmsPurpose } from '../factors/sms-code/store.js';
import { findTotpStep, totpDefaults } from '../factors/totp/totp.js';
import type { Organization } from '../tenants/organizations.js';
import { queueEmail } from './outgoing-mail.js';
import { publicUrl } from './public-url.js';
import { openTotpSecret } from './totp-secret.js';

/**
 * SPEC 4.5: 5 wrong codes end one attempt; 10 in a row (any method) lock code login for 15
 * minutes. The run does not start over when a lock ends: every further 10 lock again, and at 100
 * in a row (NIST SP 800-63B 5.2.2's ceiling) only a staff reset of the second factor opens it.
 */
export const codeBudget = { perAttempt: 5, inARow: 10, lockSeconds: 15 * 60, ceiling: 100 } as const;

export type CodeInput = { code: string } | { recoveryCode: string };

/**
 * The login attempt a code belongs to: a browser session, or an app login challenge. Its id also
 * binds SMS codes; the per-attempt budget is counted on its row.
 */
export type CodeAttempt = { kind: 'web'; sessionId: string } | { kind: 'app'; challengeId: string };

const attemptBudgetSql: Record<CodeAttempt['kind'], { reserve: string; reset: string }> = {
  web: {
    reserve: 'UPDATE web_session SET code_failures = code_failures + 1 WHERE tenant_id = $1 AND id = $2 AND code_failures < $3 RETURNING code_failures',
    reset: 'UPDATE web_session SET code_failures = 0 WHERE tenant_id = $1 AND id = $2',
  },
  app: {
    reserve: 'UPDATE app_login_challenge SET code_failures = code_failures + 1 WHERE tenant_id = $1 AND id = $2 AND code_failures < $3 RETURNING code_failures',
    reset: 'UPDATE app_login_challenge SET code_failures = 0 WHERE tenant_id = $1 AND id = $2',
  },
};

export function attemptId(attempt: CodeAttempt): string {
  return attempt.kind === 'web' ? attempt.sessionId : attempt.challengeId;
}

export type CodeCheckOutcome =
  | { ok: true; method: 'totp' | 'sms' | 'recovery'; recoveryCodesLeft: number | null }
  | { ok: false; error: 'invalid_code' | 'attempt_ended' }
  | { ok: false; error: 'locked'; retryAfterSeconds: number }
  | { ok: false; error: 'blocked' };

/**
 * Checks a second factor (TOTP, SMS or recovery code) for one account within one session's
 * attempt. Both budgets are reserved BEFORE the code is evaluated, in single atomic updates, so
 * parallel wrong codes are never evaluated beyond the budget (SECURITY 7); a right code gives the
 * reservations back. `smsPurpose` binds an SMS code to what it was sent for (SECURITY 11).
 * `codeAttempt` is the browser session id (a string) or an app login challenge.
 */
export async function checkSecondFactor(
  deps: Deps,
  org: Organization,
  account: Account,
  codeAttempt: CodeAttempt | string,
  client: RequestContext,
  input: CodeInput,
  smsPurpose: SmsPurpose,
): Promise<CodeCheckOutcome> {
  const now = deps.clock.now();
  const holder: CodeAttempt = typeof codeAttempt === 'string' ? { kind: 'web', sessionId: codeAttempt } : codeAttempt;
  const sessionId = attemptId(holder);
  const attempt = await deps.db.query<{ code_failures: number }>(attemptBudgetSql[holder.kind].reserve, [org.tenantId, sessionId, codeBudget.perAttempt]);
  if (attempt.length === 0) return { ok: false, error: 'attempt_ended' };
  const locked = await reserveAccountTry(deps, account, now);
  if (locked) return locked;

  let ok = false;
  let recoveryCodesLeft: number | null = null;
  let usedMethod: 'totp' | 'sms' | 'recovery' = 'recovery';
  if ('recoveryCode' in input) {
    const used = await useRecoveryCode(deps.db, org.tenantId, account.id, input.recoveryCode, now);
    ok = used.ok;
    if (used.ok) recoveryCodesLeft = used.remaining;
  } else {
    const factor = await findActiveFactor(deps.db, org.tenantId, account.id);
    if (factor) {
      usedMethod = factor.method;
      ok = await checkFactorCode(deps, factor, { sessionId, purpose: smsPurpose }, input.code, now);
    }
  }

  if (ok) {
    await deps.db.query('UPDATE account SET second_factor_failures = 0, second_factor_locked_until = NULL WHERE tenant_id = $1 AND id = $2', [org.tenantId, account.id]);
    await deps.db.query(attemptBudgetSql[holder.kind].reset, [org.tenantId, sessionId]);
    if (recoveryCodesLeft !== null) {
      await recordAudit(deps.db, now, client, { tenantId: org.tenantId, event: 'recovery_code_used', outcome: 'success', actorAccountId: account.id, subjectAccountId: account.id, details: { remaining: recoveryCodesLeft } });
      await queueEmail(deps.db, deps, org, account, { kind: 'recovery_code_used', name: account.name, remaining: recoveryCodesLeft, helpLink: publicUrl(deps.config, org, '/help') });
    }
    return { ok: true, method: usedMethod, recoveryCodesLeft };
  }

  const [state] = await deps.db.query<{ second_factor_failures: number; second_factor_locked_until: Date | null }>(
    'SELECT second_factor_failures, second_factor_locked_until FROM account WHERE tenant_id = $1 AND id = $2',
    [org.tenantId, account.id],
  );
  const failuresInARow = state?.second_factor_failures ?? 0;
  await recordAudit(deps.db, now, client, {
    tenantId: org.tenantId,
    event: 'second_factor_failed',
    outcome: 'failure',
    actorAccountId: account.id,
    subjectAccountId: account.id,
    details: { method: usedMethod, failuresInAttempt: attempt[0]!.code_failures, failuresInARow, locked: state?.second_factor_locked_until != null },
  });
  return attempt[0]!.code_failures >= codeBudget.perAttempt ? { ok: false, error: 'attempt_ended' } : { ok: false, error: 'invalid_code' };
}

/**
 * Counts one try against the account's run of failures, and in the same statement sets the lock
 * when this try is a tenth; a right code clears both. Null when allowed, else the lock.
 */
async function reserveAccountTry(deps: Deps, account: Account, now: Date): Promise<CodeCheckOutcome | null> {
  const reserved = await deps.db.query(
    `UPDATE account SET
       second_factor_failures = second_factor_failures + 1,
       second_factor_locked_until = CASE WHEN (second_factor_failures + 1) % $4 = 0 THEN $5::timestamptz ELSE NULL END
     WHERE tenant_id = $1 AND id = $2
       AND (second_factor_locked_until IS NULL OR second_factor_locked_until <= $3)
       AND second_factor_failures < $6
     RETURNING second_factor_failures`,
    [account.tenantId, account.id, now, codeBudget.inARow, new Date(now.getTime() + codeBudget.lockSeconds * 1000), codeBudget.ceiling],
  );
  if (reserved.length === 1) return null;
  const [row] = await deps.db.query<{ second_factor_failures: number; second_factor_locked_until: Date | null }>(
    'SELECT second_factor_failures, second_factor_locked_until FROM account WHERE tenant_id = $1 AND id = $2',
    [account.tenantId, account.id],
  );
  const until = row?.second_factor_locked_until;
  if (!until || until.getTime() <= now.getTime()) return { ok: false, error: 'blocked' };
  return { ok: false, error: 'locked', retryAfterSeconds: Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 1000)) };
}

/** Staff reset and a new factor start the run of failures anew. */
export async function clearCodeFailures(db: Queryable, tenantId: string, accountId: string): Promise<void> {
  await db.query('UPDATE account SET second_factor_failures = 0, second_factor_locked_until = NULL WHERE tenant_id = $1 AND id = $2', [tenantId, accountId]);
}

/** A TOTP or SMS code against one factor (active, or pending during setup). */
export async function checkFactorCode(deps: Deps, factor: SecondFactor, sms: { sessionId: string; purpose: SmsPurpose }, code: string, now: Date): Promise<boolean> {
  if (factor.method === 'totp') {
    const secret = openTotpSecret(deps.config, factor.tenantId, factor.accountId, factor.totpSecretSealed!);
    const step = findTotpStep(secret, code, Math.floor(now.getTime() / 1000), totpDefaults);
    return step !== null && (await claimTotpStep(deps.db, factor, step));
  }
  return verifySmsCode(deps.db, { tenantId: factor.tenantId, accountId: factor.accountId, sessionId: sms.sessionId, purpose: sms.purpose, phone: factor.phone! }, code, now);
}

