import { findAccountByEmail, type Account } from '../../accounts/accounts.js';
import { normalizeEmail } from '../../accounts/email.js';
import { recordAudit, type RequestContext } from '../../audit/audit.js';
import { noteThrottled } from '../../audit/throttled.js';
import type { Failure, Ok } from '../../core/outcome.js';
import type { Deps } from '../../deps.js';
import { attemptPassword } from '../../factors/password/attempts.js';
import { factorPhone } from '../../factors/second-factor/store.js';
import { browserTrustCounts, findSecondStep, hasSecondStep } from '../../factors/second-step.js';
import { sendSmsCode } from '../../factors/sms-code/send.js';
import { isBrowserTrusted } from '../../factors/trusted-browser/store.js';
import { createAppChallenge } from '../../sessions/app-login-challenges.js';
import { rotateSession, type WebSession } from '../../sessions/web-sessions.js';
import type { Organization } from '../../tenants/organizations.js';
import { addAppDevice, type DeviceLogin } from '../app-link.js';
import { deriveStanding, type Standing } from './standing.js';

/** A browser login: the session that showed the form, and this browser's trust cookie. */
export interface WebLoginAttempt {
  kind: 'web';
  session: WebSession;
  trustCookie: string | undefined;
}

/** An app login with e-mail and password: it becomes a challenge if a code is due. */
export interface AppLoginAttempt {
  kind: 'app';
  deviceName: string;
}

export type PasswordStepFailure = Failure<'invalid_credentials'> | Failure<'rate_limited', { retryAfterSeconds: number }>;

/** The browser's session has a new id; where to go next is the standing's. */
export type WebPasswordOutcome = Ok<{ session: WebSession; cookieValue: string; standing: Standing }> | PasswordStepFailure;

/** SPEC 5's answers: a device, or a challenge for the code; setup is for a browser. */
export type AppLoginOutcome =
  | Ok<{ next: 'device'; login: DeviceLogin }>
  | Ok<{ next: 'second_factor'; challengeId: string; methods: string[] }>
  | Failure<'two_factor_setup_required'>
  /** The account's second step is a passkey, which the app cannot ask: the app is linked from the browser (SPEC 4.7). */
  | Failure<'passkey_required'>
  | PasswordStepFailure;

/**
 * The password step of every login, in the browser and in the app alike: one check, one set of
 * audit rows, one answer for every failure — unknown address, wrong password, locked,
 * deactivated, invited — after the same work (SECURITY 1). Only the audit row says which it was.
 */
/**
 * The password step's success row. `next: second_factor` marks a login that still owes its code,
 * so the user's activity page can tell "someone has your password but not your code" from a
 * login (issue 12, attack review).
 */
async function recordPasswordStep(deps: Deps, org: Organization, client: RequestContext, account: Account, via: 'web' | 'app', standing: Standing): Promise<void> {
  const details: Record<string, string> = { step: 'password', via };
  if (standing.kind === 'needs_second_factor') details.next = 'second_factor';
  await recordAudit(deps.db, deps.clock.now(), client, { tenantId: org.tenantId, event: 'login_succeeded', outcome: 'success', actorAccountId: account.id, subjectAccountId: account.id, details });
}

async function checkLoginPassword(
  deps: Deps,
  org: Organization,
  client: RequestContext,
  via: 'web' | 'app',
  input: { email: string; password: string },
): Promise<Ok<{ account: Account }> | PasswordStepFailure> {
  const email = normalizeEmail(input.email);
  const account = email ? await findAccountByEmail(deps.db, org.tenantId, email) : null;
  const outcome = await attemptPassword(deps, org, client, account, email, input.password);
  const now = deps.clock.now();
  // The success row is the caller's (recordPasswordStep), once it knows whether a code comes next.
  if (outcome.ok) return outcome;
  if (outcome.error === 'rate_limited') {
    // SECURITY 37: one row when the burst starts, one with its count when its window ends.
    await noteThrottled(deps.db, now, org.tenantId, client, { event: 'login_throttled', via });
    return outcome;
  }
  await recordAudit(deps.db, now, client, {
    tenantId: org.tenantId,
    event: 'login_failed',
    outcome: 'failure',
    subjectAccountId: account?.id ?? null,
    details: { reason: outcome.error, failedCount: outcome.failedCount, via },
  });
  return { ok: false, error: 'invalid_credentials' };
}

export function submitPassword(deps: Deps, org: Organization, client: RequestContext, attempt: WebLoginAttempt, input: { email: string; password: string }): Promise<WebPasswordOutcome>;
export function submitPassword(deps: Deps, org: Organization, client: RequestContext, attempt: AppLoginAttempt, input: { email: string; password: string }): Promise<AppLoginOutcome>;
export async function submitPassword(
  deps: Deps,
  org: Organization,
  client: RequestContext,
  attempt: WebLoginAttempt | AppLoginAttempt,
  input: { email: string; password: string },
): Promise<WebPasswordOutcome | AppLoginOutcome> {
  const checked = await checkLoginPassword(deps, org, client, attempt.kind, input);
  if (!checked.ok) return checked;
  const account = checked.account;
  const now = deps.clock.now();
  const step = await findSecondStep(deps.db, org, account);
  const factor = step.factor;
  const hasSecondFactor = hasSecondStep(step);

  if (attempt.kind === 'web') {
    // SECURITY 15: a new session id after the password step.
    const rotated = await rotateSession(deps.db, deps, attempt.session, { kind: 'password_verified', accountId: account.id });
    if (!rotated) return { ok: false, error: 'invalid_credentials' };
    const browserTrusted = hasSecondFactor && browserTrustCounts(org.policy, account.role) && (await isBrowserTrusted(deps.db, org.tenantId, account.id, attempt.trustCookie, org.policy, now));
    const standing = deriveStanding({ attempt: { kind: 'web', session: rotated.session }, account, policy: org.policy, now, hasSecondFactor, browserTrusted });
    await recordPasswordStep(deps, org, client, account, 'web', standing);
    return { ok: true, session: rotated.session, cookieValue: rotated.cookieValue, standing };
  }

  const standing = deriveStanding({ attempt: { kind: 'app', accountId: account.id, passwordVerifiedAt: now, secondFactorVerifiedAt: null }, account, policy: org.policy, now, hasSecondFactor, browserTrusted: false });
  await recordPasswordStep(deps, org, client, account, 'app', standing);
  // The app cannot set up two-step verification; where it is required, that happens in a browser first.
  if (standing.kind === 'needs_two_factor_setup') return { ok: false, error: 'two_factor_setup_required' };
  if (standing.kind === 'authenticated') return { ok: true, next: 'device', login: await addAppDevice(deps, org, account, attempt.deviceName, client, 'password') };
  // Only a standing that asks the code goes on; anything else (a password changed meanwhile) fails closed.
  if (standing.kind !== 'needs_second_factor') return { ok: false, error: 'invalid_credentials' };
  if (!factor) return { ok: false, error: 'passkey_required' };
  const challenge = await createAppChallenge(deps.db, deps, { tenantId: org.tenantId, accountId: account.id, deviceName: attempt.deviceName });
  // With SMS, the code goes out now, bound to this challenge (the browser sends it when its code
  // page opens). A new login starts a new challenge and, within the SMS limits, a new code.
  if (factor.method === 'sms') {
    const sent = await sendSmsCode(deps, org, account, { attemptId: challenge.challenge.id, purpose: 'login', phone: factorPhone(deps.config.secretKey, factor), locale: account.locale ?? org.defaultLocale }, client);
    if (!sent.ok) deps.log.warn({ error: sent.error }, 'app login: the SMS code could not be sent; a recovery code still works');
  }
  return { ok: true, next: 'second_factor', challengeId: challenge.token, methods: [factor.method, 'recovery'] };
}
