import { findAccountById, type Account } from '../../accounts/accounts.js';
import { recordAudit, type RequestContext } from '../../audit/audit.js';
import { guessOneUseCredential } from '../../core/guess-budget.js';
import type { Failure, Ok } from '../../core/outcome.js';
import type { Deps } from '../../deps.js';
import { checkSecondFactor, codeBudget, type CodeCheckFailure, type CodeInput } from '../../factors/second-factor/check.js';
import { countPasskeys } from '../../factors/passkey/store.js';
import { factorPhone } from '../../factors/second-factor/store.js';
import { browserTrustCounts, findSecondStep } from '../../factors/second-step.js';
import { sendSmsCode, type SendSmsOutcome } from '../../factors/sms-code/send.js';
import { hasFreshSmsCode } from '../../factors/sms-code/store.js';
import { browserName, effectiveValidity, trustBrowser } from '../../factors/trusted-browser/store.js';
import { completeAppChallenge, endAppChallenge, findOpenAppChallenge, type AppLoginChallenge } from '../../sessions/app-login-challenges.js';
import { deleteSession, rotateSession, type WebSession } from '../../sessions/web-sessions.js';
import type { Locale, Organization } from '../../tenants/organizations.js';
import { addAppDevice, type DeviceLogin } from '../app-link.js';

/** A browser session that passed the password step and owes a code. */
export interface WebCodeAttempt {
  kind: 'web';
  session: WebSession;
  account: Account;
  /** The page's language, for the SMS it sends. */
  locale: Locale;
}

/** An app login waiting for its code: the `challengeId` it was given. */
export interface AppCodeAttempt {
  kind: 'app';
  challengeToken: string;
}

export type WebCodeOutcome =
  | Ok<{ cookieValue: string | null; trustCookieValue: string | null; recoveryCodesLeft: number | null }>
  /** The attempt's budget is spent: the session has ended and the password is asked again. */
  | CodeCheckFailure;

/** In SPEC 5's words: a locked or blocked code login is `rate_limited`, a spent attempt `challenge_expired`. */
export type AppCodeOutcome = Ok<{ login: DeviceLogin }> | Failure<'invalid_code' | 'challenge_expired'> | Failure<'rate_limited', { retryAfterSeconds: number }>;

/**
 * The code step of every login, in the browser and in the app alike: the same check with the same
 * budgets (SPEC 4.5), the same audit rows. The budget's end ends the attempt: the browser's
 * session, or the app's challenge.
 */
export function submitCode(deps: Deps, org: Organization, client: RequestContext, attempt: WebCodeAttempt, input: CodeInput): Promise<WebCodeOutcome>;
export function submitCode(deps: Deps, org: Organization, client: RequestContext, attempt: AppCodeAttempt, input: CodeInput): Promise<AppCodeOutcome>;
export async function submitCode(
  deps: Deps,
  org: Organization,
  client: RequestContext,
  attempt: WebCodeAttempt | AppCodeAttempt,
  input: CodeInput,
): Promise<WebCodeOutcome | AppCodeOutcome> {
  if (attempt.kind === 'web') return submitWebCode(deps, org, client, attempt, input);
  // An unknown or ended challenge counts as a guess at one (SECURITY 9); a wrong code has its own budget.
  const found = await guessOneUseCredential({ db: deps.db, tenantId: org.tenantId, ip: client.ip, now: deps.clock.now() }, () => openChallenge(deps, org, attempt.challengeToken));
  if (!found.ok) return found.error === 'rate_limited' ? found : { ok: false, error: 'challenge_expired' };
  const { challenge, account } = found.value;
  const check = await checkSecondFactor(deps, org, account, { kind: 'app', challengeId: challenge.id }, client, input, 'login');
  const now = deps.clock.now();
  if (!check.ok) {
    if (check.error === 'locked') return { ok: false, error: 'rate_limited', retryAfterSeconds: check.retryAfterSeconds };
    if (check.error === 'blocked') return { ok: false, error: 'rate_limited', retryAfterSeconds: codeBudget.lockSeconds };
    if (check.error === 'invalid_code') return check;
    await endAppChallenge(deps.db, org.tenantId, challenge.id, now);
    return { ok: false, error: 'challenge_expired' };
  }
  if (!(await completeAppChallenge(deps.db, org.tenantId, challenge.id, now))) return { ok: false, error: 'challenge_expired' };
  await recordCodeLogin(deps, org, client, account, check.method, 'app');
  const login = await addAppDevice(deps, org, account, challenge.deviceName, client, 'password');
  return { ok: true, login: check.recoveryCodesLeft === null ? login : { ...login, recoveryCodesLeft: check.recoveryCodesLeft } };
}

async function openChallenge(deps: Deps, org: Organization, token: string): Promise<{ challenge: AppLoginChallenge; account: Account } | null> {
  const challenge = await findOpenAppChallenge(deps.db, org.tenantId, token, deps.clock.now());
  const account = challenge ? await findAccountById(deps.db, org.tenantId, challenge.accountId) : null;
  return challenge && account?.state === 'active' ? { challenge, account } : null;
}

async function submitWebCode(deps: Deps, org: Organization, client: RequestContext, attempt: WebCodeAttempt, input: CodeInput): Promise<WebCodeOutcome> {
  const { session, account } = attempt;
  const check = await checkSecondFactor(deps, org, account, { kind: 'web', sessionId: session.id }, client, input, 'login');
  if (!check.ok) {
    // Five wrong codes end this login attempt: it starts again with the password (SPEC 4.5).
    if (check.error === 'attempt_ended') await deleteSession(deps.db, org.tenantId, session.id);
    return check;
  }
  // SECURITY 15: a new session id after the code step.
  const rotated = await rotateSession(deps.db, deps, session, { kind: 'second_factor_verified' });
  let trustCookieValue: string | null = null;
  if (org.policy.maxCodeValidityDays > 0 && browserTrustCounts(org.policy, account.role)) {
    trustCookieValue = await trustBrowser(deps.db, deps, {
      tenantId: org.tenantId,
      accountId: account.id,
      validity: effectiveValidity(account.codeValidity, org.policy),
      name: browserName(client.userAgent),
    });
  }
  await recordCodeLogin(deps, org, client, account, check.method, 'web');
  return { ok: true, cookieValue: rotated?.cookieValue ?? null, trustCookieValue, recoveryCodesLeft: check.recoveryCodesLeft };
}

async function recordCodeLogin(deps: Deps, org: Organization, client: RequestContext, account: Account, method: string, via: 'web' | 'app'): Promise<void> {
  await recordAudit(deps.db, deps.clock.now(), client, {
    tenantId: org.tenantId,
    event: 'login_succeeded',
    outcome: 'success',
    actorAccountId: account.id,
    subjectAccountId: account.id,
    details: { step: 'second_factor', method, via },
  });
}

/**
 * What the browser's code page offers: the code of the account's method (none where its second
 * step is a passkey only), its passkeys (a passkey is a whole login, SPEC 11), and always a recovery code.
 */
export async function loginCodeOffers(deps: Deps, org: Organization, account: Account): Promise<{ method: 'totp' | 'sms' | null; passkey: boolean }> {
  const step = await findSecondStep(deps.db, org, account);
  return { method: step.factor?.method ?? null, passkey: (await countPasskeys(deps.db, org.tenantId, account.id)) > 0 };
}

export type CodeStepView = Ok<{ method: 'totp' | 'sms' | null }> | (SendSmsOutcome & { ok: false; method: 'sms' });

/**
 * The browser's code page opens: with SMS, the code is sent now (SPEC 4.3), not again on a
 * reload while one is valid. Says which method the page asks for.
 */
export async function openCodeStep(deps: Deps, org: Organization, client: RequestContext, attempt: WebCodeAttempt): Promise<CodeStepView> {
  const factor = (await findSecondStep(deps.db, org, attempt.account)).factor;
  if (factor?.method !== 'sms') return { ok: true, method: factor?.method ?? null };
  const scope = { tenantId: org.tenantId, accountId: attempt.account.id, sessionId: attempt.session.id, purpose: 'login' as const };
  if (await hasFreshSmsCode(deps.db, scope, deps.clock.now())) return { ok: true, method: 'sms' };
  const sent = await sendSmsCode(deps, org, attempt.account, { attemptId: attempt.session.id, purpose: 'login', phone: factorPhone(deps.config.secretKey, factor), locale: attempt.locale }, client);
  return sent.ok ? { ok: true, method: 'sms' } : { ...sent, method: 'sms' };
}

/** "Send a new code" on the browser's code page (the SMS limits of SPEC 4.5 apply). */
export async function resendLoginCode(deps: Deps, org: Organization, client: RequestContext, attempt: WebCodeAttempt): Promise<SendSmsOutcome> {
  const factor = (await findSecondStep(deps.db, org, attempt.account)).factor;
  if (factor?.method !== 'sms') return { ok: false, error: 'no_sms' };
  return sendSmsCode(deps, org, attempt.account, { attemptId: attempt.session.id, purpose: 'login', phone: factorPhone(deps.config.secretKey, factor), locale: attempt.locale }, client);
}
