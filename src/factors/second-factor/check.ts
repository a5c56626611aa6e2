import type { Account } from '../../accounts/accounts.js';
import { clearCodeFailures, readCodeFailures, reserveCodeTry } from '../../accounts/failure-counters.js';
import { recordAudit, type RequestContext } from '../../audit/audit.js';
import type { Failure, Ok } from '../../core/outcome.js';
import type { Deps } from '../../deps.js';
import { queueEmail } from '../../messaging/outbox.js';
import { codeAttemptId, reserveAttemptCodeTry, resetAttemptCodeTries, type CodeAttempt } from '../../sessions/code-attempts.js';
import type { Organization } from '../../tenants/organizations.js';
import { publicUrl } from '../../tenants/public-url.js';
import { useRecoveryCode } from '../recovery-codes/store.js';
import { verifySmsCode, type SmsPurpose } from '../sms-code/store.js';
import { openTotpSecret } from '../totp/sealed-secret.js';
import { findTotpStep, totpDefaults } from '../totp/totp.js';
import { phoneDigest } from '../sms-code/phone.js';
import { findHeldSecondStep, findSecondStep } from '../second-step.js';
import { claimTotpStep, factorPhone, type SecondFactor } from './store.js';

export type { CodeAttempt };

/**
 * SPEC 4.5: 5 wrong codes end one attempt; 10 in a row (any method) lock code login for 15
 * minutes. The run does not start over when a lock ends: every further 10 lock again, and at 100
 * in a row (NIST SP 800-63B 5.2.2's ceiling) only a staff reset of the second factor opens it.
 */
export const codeBudget = { perAttempt: 5, inARow: 10, lockSeconds: 15 * 60, ceiling: 100 } as const;

export type CodeInput = { code: string } | { recoveryCode: string };

export type CodeCheckFailure = Failure<'invalid_code' | 'attempt_ended' | 'blocked'> | Failure<'locked', { retryAfterSeconds: number }>;

export type CodeCheckOutcome = Ok<{ method: 'totp' | 'sms' | 'recovery'; recoveryCodesLeft: number | null }> | CodeCheckFailure;

/**
 * Checks a second factor (TOTP, SMS or recovery code) of one account within one login attempt,
 * for a login or a step-up alike. Both budgets are reserved BEFORE the code is evaluated, in
 * single atomic updates, so parallel wrong codes are never evaluated beyond the budget
 * (SECURITY 7); a right code gives the reservations back. `smsPurpose` binds an SMS code to what
 * it was sent for (SECURITY 11).
 */
export async function checkSecondFactor(
  deps: Deps,
  org: Organization,
  account: Account,
  attempt: CodeAttempt,
  client: RequestContext,
  input: CodeInput,
  smsPurpose: SmsPurpose,
): Promise<CodeCheckOutcome> {
  const now = deps.clock.now();
  // Nothing typed (an Enter too soon) is no guess: refused without a try, since nothing is compared.
  if (('recoveryCode' in input ? input.recoveryCode : input.code).trim() === '') return { ok: false, error: 'invalid_code' };
  const failuresInAttempt = await reserveAttemptCodeTry(deps.db, org.tenantId, attempt, codeBudget.perAttempt);
  if (failuresInAttempt === null) return { ok: false, error: 'attempt_ended' };
  if (!(await reserveCodeTry(deps.db, account, now, { lockEvery: codeBudget.inARow, lockSeconds: codeBudget.lockSeconds, ceiling: codeBudget.ceiling }))) {
    return lockOf(deps, account, now);
  }

  let right = false;
  let recoveryCodesLeft: number | null = null;
  let usedMethod: 'totp' | 'sms' | 'recovery' = 'recovery';
  if ('recoveryCode' in input) {
    const used = await useRecoveryCode(deps.db, org.tenantId, account.id, input.recoveryCode, now);
    right = used.ok;
    if (used.ok) recoveryCodesLeft = used.remaining;
  } else {
    // At login only a factor that counts as the account's second step (not a staff member's codes
    // where passkeys are required); to confirm a change (a step-up), any factor the account holds.
    const factor = (smsPurpose === 'login' ? await findSecondStep(deps.db, org, account) : await findHeldSecondStep(deps.db, org, account)).factor;
    if (factor) {
      usedMethod = factor.method;
      right = await checkFactorCode(deps, factor, { attemptId: codeAttemptId(attempt), purpose: smsPurpose }, input.code, now);
    }
  }

  if (right) {
    await clearCodeFailures(deps.db, org.tenantId, account.id);
    await resetAttemptCodeTries(deps.db, org.tenantId, attempt);
    if (recoveryCodesLeft !== null) {
      await recordAudit(deps.db, now, client, { tenantId: org.tenantId, event: 'recovery_code_used', outcome: 'success', actorAccountId: account.id, subjectAccountId: account.id, details: { remaining: recoveryCodesLeft } });
      await queueEmail(deps.db, deps, org, account, { kind: 'recovery_code_used', name: account.name, remaining: recoveryCodesLeft, helpLink: publicUrl(deps.config, org, '/help') });
    }
    return { ok: true, method: usedMethod, recoveryCodesLeft };
  }

  const state = await readCodeFailures(deps.db, org.tenantId, account.id);
  await recordAudit(deps.db, now, client, {
    tenantId: org.tenantId,
    event: 'second_factor_failed',
    outcome: 'failure',
    actorAccountId: account.id,
    subjectAccountId: account.id,
    details: { method: usedMethod, failuresInAttempt, failuresInARow: state.failuresInARow, locked: state.lockedUntil !== null },
  });
  return failuresInAttempt >= codeBudget.perAttempt ? { ok: false, error: 'attempt_ended' } : { ok: false, error: 'invalid_code' };
}

/** Why no try was left: a timed lock, or the ceiling that only a staff reset lifts. */
async function lockOf(deps: Deps, account: Account, now: Date): Promise<CodeCheckFailure> {
  const { lockedUntil } = await readCodeFailures(deps.db, account.tenantId, account.id);
  if (!lockedUntil || lockedUntil.getTime() <= now.getTime()) return { ok: false, error: 'blocked' };
  return { ok: false, error: 'locked', retryAfterSeconds: Math.max(1, Math.ceil((lockedUntil.getTime() - now.getTime()) / 1000)) };
}

/** A TOTP or SMS code against one factor (active, or pending during setup). */
export async function checkFactorCode(deps: Deps, factor: SecondFactor, sms: { attemptId: string; purpose: SmsPurpose }, code: string, now: Date): Promise<boolean> {
  if (factor.method === 'totp') {
    const secret = openTotpSecret(deps.config, factor.tenantId, factor.accountId, factor.totpSecretSealed!);
    const step = findTotpStep(secret, code, Math.floor(now.getTime() / 1000), totpDefaults);
    return step !== null && (await claimTotpStep(deps.db, factor, step));
  }
  const digest = phoneDigest(deps.config.secretKey, factor, factorPhone(deps.config.secretKey, factor));
  return verifySmsCode(deps.db, { tenantId: factor.tenantId, accountId: factor.accountId, sessionId: sms.attemptId, purpose: sms.purpose, phoneDigest: digest }, code, now);
}
