import type { Account } from '../accounts/accounts.js';
import { recordAudit, type RequestContext } from '../audit/audit.js';
import type { Deps } from '../deps.js';
import { useRecoveryCode } from '../factors/recovery-codes/store.js';
import { claimTotpStep, findActiveFactor, type SecondFactor } from '../factors/second-factor/store.js';
import { verifySmsCode, type SmsPurpose } from '../factors/sms-code/store.js';
import { findTotpStep, totpDefaults } from '../factors/totp/totp.js';
import type { Organization } from '../tenants/organizations.js';
import { queueEmail } from './outgoing-mail.js';
import { publicUrl } from './public-url.js';
import { openTotpSecret } from './totp-secret.js';

/** SPEC 4.5: 5 wrong codes end one attempt; 10 in a row (any method) lock code login for 15 minutes. */
export const codeBudget = { perAttempt: 5, inARow: 10, lockSeconds: 15 * 60 } as const;

export type CodeInput = { code: string } | { recoveryCode: string };

export type CodeCheckOutcome =
  | { ok: true; method: 'totp' | 'sms' | 'recovery'; recoveryCodesLeft: number | null }
  | { ok: false; error: 'invalid_code' | 'attempt_ended' }
  | { ok: false; error: 'locked'; retryAfterSeconds: number };

/**
 * Checks a second factor (TOTP, SMS or recovery code) for one account within one session's
 * attempt. Both budgets are reserved BEFORE the code is evaluated, in single atomic updates, so
 * parallel wrong codes are never evaluated beyond the budget (SECURITY 7); a right code gives the
 * reservations back. `smsPurpose` binds an SMS code to what it was sent for (SECURITY 11).
 */
export async function checkSecondFactor(
  deps: Deps,
  org: Organization,
  account: Account,
  sessionId: string,
  client: RequestContext,
  input: CodeInput,
  smsPurpose: SmsPurpose,
): Promise<CodeCheckOutcome> {
  const now = deps.clock.now();
  const attempt = await deps.db.query<{ code_failures: number }>(
    'UPDATE web_session SET code_failures = code_failures + 1 WHERE tenant_id = $1 AND id = $2 AND code_failures < $3 RETURNING code_failures',
    [org.tenantId, sessionId, codeBudget.perAttempt],
  );
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
    await deps.db.query('UPDATE web_session SET code_failures = 0 WHERE tenant_id = $1 AND id = $2', [org.tenantId, sessionId]);
    if (recoveryCodesLeft !== null) {
      await recordAudit(deps.db, now, client, { tenantId: org.tenantId, event: 'recovery_code_used', outcome: 'success', actorAccountId: account.id, subjectAccountId: account.id, details: { remaining: recoveryCodesLeft } });
      await queueEmail(deps.db, deps, org, account, { kind: 'recovery_code_used', name: account.name, remaining: recoveryCodesLeft, helpLink: publicUrl(deps.config, org, '/help') });
    }
    return { ok: true, method: usedMethod, recoveryCodesLeft };
  }

  const [state] = await deps.db.query<{ second_factor_failures: number }>('SELECT second_factor_failures FROM account WHERE tenant_id = $1 AND id = $2', [
    org.tenantId,
    account.id,
  ]);
  const failuresInARow = state?.second_factor_failures ?? 0;
  if (failuresInARow >= codeBudget.inARow) {
    await deps.db.query('UPDATE account SET second_factor_locked_until = $3 WHERE tenant_id = $1 AND id = $2 AND second_factor_locked_until IS NULL', [
      org.tenantId,
      account.id,
      new Date(now.getTime() + codeBudget.lockSeconds * 1000),
    ]);
  }
  await recordAudit(deps.db, now, client, {
    tenantId: org.tenantId,
    event: 'second_factor_failed',
    outcome: 'failure',
    actorAccountId: account.id,
    subjectAccountId: account.id,
    details: { method: usedMethod, failuresInAttempt: attempt[0]!.code_failures, failuresInARow, locked: failuresInARow >= codeBudget.inARow },
  });
  return attempt[0]!.code_failures >= codeBudget.perAttempt ? { ok: false, error: 'attempt_ended' } : { ok: false, error: 'invalid_code' };
}

/** Counts one try against the account's run of failures; null when allowed, else the lock. */
async function reserveAccountTry(deps: Deps, account: Account, now: Date): Promise<CodeCheckOutcome | null> {
  const reserved = await deps.db.query(
    `UPDATE account SET
       second_factor_failures = CASE WHEN second_factor_locked_until <= $3 THEN 1 ELSE second_factor_failures + 1 END,
       second_factor_locked_until = CASE WHEN second_factor_locked_until <= $3 THEN NULL ELSE second_factor_locked_until END
     WHERE tenant_id = $1 AND id = $2
       AND ((second_factor_locked_until IS NULL AND second_factor_failures < $4) OR second_factor_locked_until <= $3)
     RETURNING second_factor_failures`,
    [account.tenantId, account.id, now, codeBudget.inARow],
  );
  if (reserved.length === 1) return null;
  const [row] = await deps.db.query<{ second_factor_locked_until: Date | null }>('SELECT second_factor_locked_until FROM account WHERE tenant_id = $1 AND id = $2', [
    account.tenantId,
    account.id,
  ]);
  const until = row?.second_factor_locked_until ?? new Date(now.getTime() + codeBudget.lockSeconds * 1000);
  return { ok: false, error: 'locked', retryAfterSeconds: Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 1000)) };
}

/** A TOTP or SMS code against one factor (active, or pending during setup). */
export async function checkFactorCode(deps: Deps, factor: SecondFactor, sms: { sessionId: string; purpose: SmsPurpose }, code: string, now: Date): Promise<boolean> {
  if (factor.method === 'totp') {
    const secret = openTotpSecret(deps.config, factor.tenantId, factor.accountId, factor.totpSecretSealed!);
    const step = findTotpStep(secret, code, Math.floor(now.getTime() / 1000), totpDefaults);
    return step !== null && (await claimTotpStep(deps.db, factor, step));
  }
  return verifySmsCode(deps.db, { tenantId: factor.tenantId, accountId: factor.accountId, sessionId: sms.sessionId, purpose: sms.purpose }, code, now);
}

