import type { Account } from '../accounts/accounts.js';
import { normalizeEmail } from '../accounts/email.js';
import { recordAudit, type RequestContext } from '../audit/audit.js';
import type { Failure, Ok } from '../core/outcome.js';
import type { Deps } from '../deps.js';
import { attemptPassword } from '../factors/password/attempts.js';
import { checkSecondFactor, type CodeCheckFailure } from '../factors/second-factor/check.js';
import { countPasskeys } from '../factors/passkey/store.js';
import { factorPhone } from '../factors/second-factor/store.js';
import { findHeldSecondStep, hasSecondStep } from '../factors/second-step.js';
import { provePasskey } from './passkey-proof.js';
import { sendSmsCode, type SendSmsOutcome } from '../factors/sms-code/send.js';
import { rotateSession, type WebSession } from '../sessions/web-sessions.js';
import type { Locale, Organization } from '../tenants/organizations.js';
import type { SessionTarget } from './session-target.js';

/** SPEC 4.5: a step-up proof lasts 10 minutes and belongs to one session. */
export const stepUpValidSeconds = 10 * 60;

/**
 * Every action that asks the password or a code again, with what it asks (SPEC 4.5's table and
 * 4.7). `always`: asked whatever the session proved before. `unless_fresh`: skipped while the
 * session holds a proof of under 10 minutes (`fresh` says which proof counts). A code is asked
 * only of an account with a factor in force.
 */
const rules = {
  change_password: { password: 'always', code: 'always', fresh: 'password' },
  turn_off_two_factor: { password: 'always', code: 'always', fresh: 'password' },
  set_up_two_factor: { password: 'unless_fresh', code: 'never', fresh: 'password' },
  /** SPEC 4.5, SECURITY 41: a new factor in place of one in force needs a code from it (or a recovery code). */
  replace_two_factor: { password: 'always', code: 'always', fresh: 'password' },
  change_two_factor_settings: { password: 'unless_fresh', code: 'never', fresh: 'password' },
  new_recovery_codes: { password: 'unless_fresh', code: 'never', fresh: 'password' },
  show_app_qr: { password: 'unless_fresh', code: 'unless_fresh', fresh: 'password_or_code' },
  /** SPEC 6, SECURITY 40: an organization's policy binds everyone; changing it asks both, always. */
  change_policy: { password: 'always', code: 'always', fresh: 'password' },
  /** SPEC 6: the logo and colour every login page shows; a stolen session must not dress a page up. */
  change_branding: { password: 'always', code: 'always', fresh: 'password' },
  /** SPEC 11: adding or removing a passkey asks the password, and a code where two-step verification is on. */
  add_passkey: { password: 'always', code: 'always', fresh: 'password' },
  remove_passkey: { password: 'always', code: 'always', fresh: 'password' },
  /** SPEC 10: registering or removing an application on /admin/clients decides who may log people in: both, always. */
  manage_clients: { password: 'always', code: 'always', fresh: 'password' },
  /** SPEC 10: an application asked a new login (`prompt=login`, `max_age` passed): password and code again. */
  openid_login_again: { password: 'always', code: 'always', fresh: 'password' },
  /** SPEC 10: an application asked `acr_values=urn:ingang:acr:2fa` of a session that proved the password alone. */
  openid_second_factor: { password: 'never', code: 'always', fresh: 'password' },
  /** The reset link is the first proof; the code is the second (SECURITY 14). */
  reset_password: { password: 'never', code: 'always', fresh: 'password' },
} as const satisfies Record<string, { password: Ask; code: Ask; fresh: 'password' | 'password_or_code' }>;

type Ask = 'always' | 'unless_fresh' | 'never';
export type StepUpAction = keyof typeof rules;

export function hasFreshProof(session: WebSession, now: Date, proof: 'password' | 'code'): boolean {
  const at = proof === 'password' ? session.passwordVerifiedAt : session.secondFactorVerifiedAt;
  return at !== null && now.getTime() - at.getTime() < stepUpValidSeconds * 1000;
}

function isFresh(action: StepUpAction, session: WebSession, now: Date): boolean {
  const rule = rules[action];
  return hasFreshProof(session, now, 'password') || (rule.fresh === 'password_or_code' && hasFreshProof(session, now, 'code'));
}

/** What the action asks now, so a page shows exactly those fields. */
export function stepUpAsks(action: StepUpAction, facts: { session: WebSession; now: Date; factorInForce: boolean }): { password: boolean; code: boolean } {
  const rule = rules[action];
  const fresh = isFresh(action, facts.session, facts.now);
  const asked = (ask: Ask) => ask === 'always' || (ask === 'unless_fresh' && !fresh);
  return { password: asked(rule.password), code: facts.factorInForce && asked(rule.code) };
}

export interface StepUpView {
  password: boolean;
  code: boolean;
  /** Where the code comes from; null where no code is asked, or the second step is a passkey only. */
  codeMethod: 'totp' | 'sms' | null;
  /** The account has a passkey, which may prove the step-up instead (SPEC 11); `passkeyOnly`: nothing else proves its second step. */
  passkey: boolean;
  passkeyOnly: boolean;
}

/** What a page's step-up form must show for this action now: the fields, the method the code comes from, the passkey. */
export async function describeStepUp(deps: Deps, org: Organization, target: Pick<SessionTarget, 'account' | 'session'>, action: StepUpAction): Promise<StepUpView> {
  const step = await findHeldSecondStep(deps.db, org, target.account);
  const asks = stepUpAsks(action, { session: target.session, now: deps.clock.now(), factorInForce: hasSecondStep(step) });
  const passkey = (asks.password || asks.code) && (await countPasskeys(deps.db, org.tenantId, target.account.id)) > 0;
  return { ...asks, codeMethod: asks.code ? (step.factor?.method ?? null) : null, passkey, passkeyOnly: asks.code && step.factor === null };
}

export interface StepUpProofs {
  password?: string;
  code?: string;
  recoveryCode?: string;
  /** The browser's answer to a passkey ceremony of purpose `step_up` (SPEC 11): proves the password and the code at once. */
  passkey?: string;
}

export type StepUpFailure =
  | Failure<'wrong_password'>
  | Failure<'rate_limited', { retryAfterSeconds: number }>
  /** A code was due and none was given (a form that offers code or recovery code). */
  | Failure<'code_missing'>
  /** The account's second step is a passkey only, and none was used (nor a recovery code where the form takes one). */
  | Failure<'passkey_needed'>
  /** A passkey answer that did not hold (audited `passkey_refused` with the reason). */
  | Failure<'passkey_refused'>
  | CodeCheckFailure;

/** The session to go on with: under a new id when something was proven (SECURITY 15), handed to `target.renewed` then. */
export type StepUpSuccess = Ok<{ session: WebSession; recoveryCodesLeft: number | null }>;

/**
 * The one step-up of Ingang: every page (and later API call) that asks the password or a code
 * again comes here. The password is checked first (a wrong one counts toward the account's lock
 * like a failed login), then `beforeCode` (e.g. the rules of a new password, so a code is not used
 * up by a refused password), then the code, against the same budgets as at login. A step-up that
 * proved something gives the session new proofs and a new id, and leaves one audit row.
 */
export async function stepUp<F extends Failure<string> = never>(
  deps: Deps,
  org: Organization,
  client: RequestContext,
  target: SessionTarget,
  action: StepUpAction,
  proofs: StepUpProofs,
  beforeCode?: () => Promise<F | null>,
): Promise<StepUpSuccess | StepUpFailure | F> {
  const { account, session } = target;
  const step = await findHeldSecondStep(deps.db, org, account);
  const asks = stepUpAsks(action, { session, now: deps.clock.now(), factorInForce: hasSecondStep(step) });
  const audit = (ok: boolean, details: Record<string, string | number | boolean | null>) =>
    recordAudit(deps.db, deps.clock.now(), client, {
      tenantId: org.tenantId,
      event: ok ? 'step_up_succeeded' : 'step_up_failed',
      outcome: ok ? 'success' : 'failure',
      actorAccountId: account.id,
      subjectAccountId: account.id,
      details: { action, ...details },
    });

  if (proofs.passkey?.trim() && (asks.password || asks.code) && session.accountId === account.id) {
    const refused = beforeCode ? await beforeCode() : null;
    if (refused) return refused;
    const proved = await provePasskey(deps, org, client, { loginId: session.loginId, purpose: 'step_up', responseJson: proofs.passkey });
    if (!proved.ok || proved.account.id !== account.id) {
      await audit(false, { failed: 'passkey', reason: proved.ok ? 'other_account' : proved.error });
      return { ok: false, error: 'passkey_refused' };
    }
    await audit(true, { password: asks.password, code: asks.code, passkey: true });
    const rotated = await rotateSession(deps.db, deps, session, { kind: 'step_up', password: true, code: true, passkey: true });
    if (!rotated) return { ok: true, session, recoveryCodesLeft: null };
    target.renewed(rotated);
    return { ok: true, session: rotated.session, recoveryCodesLeft: null };
  }
  // A passkey-only second step and no passkey (nor a recovery code where the form takes one): the
  // forms show no password field then, so nothing is tried and nothing counted (SECURITY 3).
  const recoveryGiven = Boolean(proofs.recoveryCode?.trim());
  if (asks.code && step.factor === null && !recoveryGiven && action !== 'reset_password') return { ok: false, error: 'passkey_needed' };
  if (asks.password) {
    const attempt = await attemptPassword(deps, org, client, account, normalizeEmail(account.email), proofs.password ?? '');
    if (!attempt.ok) {
      await audit(false, attempt.error === 'rate_limited' ? { failed: 'password', reason: attempt.error } : { failed: 'password', reason: attempt.error, failedCount: attempt.failedCount });
      return attempt.error === 'rate_limited' ? attempt : { ok: false, error: 'wrong_password' };
    }
  }
  const refused = beforeCode ? await beforeCode() : null;
  if (refused) return refused;
  let recoveryCodesLeft: number | null = null;
  if (asks.code) {
    const recoveryCode = proofs.recoveryCode?.trim() ? proofs.recoveryCode : null;
    // The reset form offers a code or a recovery code, neither required by itself: one of them is.
    if (action === 'reset_password' && !recoveryCode && !proofs.code?.trim()) return { ok: false, error: 'code_missing' };
    // No code proves a passkey-only second step: nothing is guessed, nothing counted.
    if (step.factor === null && !recoveryCode) return { ok: false, error: 'passkey_needed' };
    const proof = recoveryCode ? { recoveryCode } : { code: proofs.code ?? '' };
    // The code's failures are audited by the check itself (second_factor_failed).
    const check = await checkSecondFactor(deps, org, account, { kind: 'web', sessionId: session.id }, client, proof, 'confirm');
    if (!check.ok) return check;
    recoveryCodesLeft = check.recoveryCodesLeft;
  }
  if (!asks.password && !asks.code) return { ok: true, session, recoveryCodesLeft };
  await audit(true, { password: asks.password, code: asks.code });
  // Only a logged-in session carries proofs (a reset's session is anonymous and ends with the reset).
  const rotated = session.accountId === account.id ? await rotateSession(deps.db, deps, session, { kind: 'step_up', password: asks.password, code: asks.code, passkey: false }) : null;
  if (!rotated) return { ok: true, session, recoveryCodesLeft };
  target.renewed(rotated);
  return { ok: true, session: rotated.session, recoveryCodesLeft };
}

/** "Send me a code" where a step-up asks one of an SMS user: a code bound to this session, for confirming only (SECURITY 11). */
export async function sendStepUpCode(deps: Deps, org: Organization, client: RequestContext, target: Pick<SessionTarget, 'account' | 'session'>, locale: Locale): Promise<SendSmsOutcome | Failure<'not_an_sms_account'>> {
  const factor = (await findHeldSecondStep(deps.db, org, target.account)).factor;
  if (factor?.method !== 'sms') return { ok: false, error: 'not_an_sms_account' };
  return sendSmsCode(deps, org, target.account, { attemptId: target.session.id, purpose: 'confirm', phone: factorPhone(deps.config.secretKey, factor), locale }, client);
}
