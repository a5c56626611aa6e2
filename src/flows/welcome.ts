import type { Account } from '../accounts/accounts.js';
import { issueAccountToken, lookUpAccountToken } from '../accounts/link-tokens.js';
import { recordAudit, type RequestContext } from '../audit/audit.js';
import { noteThrottled } from '../audit/throttled.js';
import { countGuess } from '../core/guess-budget.js';
import type { Failure, Ok } from '../core/outcome.js';
import { hitRateLimit } from '../core/rate-limit.js';
import type { Queryable } from '../db/db.js';
import type { Deps } from '../deps.js';
import { queueEmail } from '../messaging/outbox.js';
import { rotateSession, type WebSession } from '../sessions/web-sessions.js';
import type { Locale, Organization } from '../tenants/organizations.js';
import { publicUrl } from '../tenants/public-url.js';
import { deriveStanding, type Standing } from './login/standing.js';
import { openAccountLink, setPasswordThroughLink, type LinkFailure, type SetPasswordFailure } from './set-password.js';

/**
 * Mails a (new) welcome link, voiding older ones (SPEC 4.1). Runs in the caller's transaction.
 * Returns the link, which only the operator's demo start prints; nothing else shows it.
 */
export async function sendWelcome(
  db: Queryable,
  deps: Deps,
  org: Organization,
  account: Account,
  by: { actorAccountId: string | null; client: RequestContext; reason?: string },
): Promise<string> {
  const token = await issueAccountToken(db, deps, account, 'welcome', org.policy.welcomeLinkHours * 3600);
  const link = publicUrl(deps.config, org, `/welcome/${token}`);
  // A self-registered address is unconfirmed until its password is set: its mail says "confirm
  // your registration" and carries nothing the requester typed, not even the name (SECURITY 38).
  const kind = account.selfRegistered ? 'registration' : 'welcome';
  const validHours = org.policy.welcomeLinkHours;
  await queueEmail(db, deps, org, account, kind === 'registration' ? { kind, link, validHours } : { kind, name: account.name, link, validHours });
  await recordAudit(db, deps.clock.now(), by.client, {
    tenantId: org.tenantId,
    event: 'welcome_email_sent',
    outcome: 'success',
    actorAccountId: by.actorAccountId,
    subjectAccountId: account.id,
    details: by.reason === undefined ? { kind } : { kind, reason: by.reason },
  });
  return link;
}

/** GET of the welcome link only shows the form: it never consumes the link. */
export async function openWelcomeLink(deps: Deps, org: Organization, client: RequestContext, token: string): Promise<Ok<{ account: Account }> | LinkFailure> {
  return openAccountLink(deps, org, client, 'welcome', token);
}

/**
 * Sets the first password through a welcome link and logs the user in (a new session id): the
 * link proved the person. Where to go next is the standing's — two-step setup where the org
 * requires it for the role (SPEC 4.1).
 */
export async function completeWelcome(
  deps: Deps,
  org: Organization,
  client: RequestContext,
  session: WebSession,
  input: { token: string; password: string; passwordConfirm: string; locale: Locale },
): Promise<Ok<{ cookieValue: string | null; standing: Standing }> | LinkFailure | Exclude<SetPasswordFailure, { error: 'password_rejected' }> | (Extract<SetPasswordFailure, { error: 'password_rejected' }> & { email: string; locale: Locale | null })> {
  const link = await openAccountLink(deps, org, client, 'welcome', input.token);
  if (!link.ok) return link;
  const set = await setPasswordThroughLink(deps, org, client, link, input, (tx, account, now) =>
    recordAudit(tx, now, client, { tenantId: org.tenantId, event: 'account_activated', outcome: 'success', actorAccountId: account.id, subjectAccountId: account.id }),
  );
  // A refused password comes back with the address, for the form's strength hint.
  if (!set.ok) return set.error === 'password_rejected' ? { ...set, email: link.account.email, locale: link.account.locale } : set;
  const rotated = await rotateSession(deps.db, deps, session, { kind: 'password_verified', accountId: set.account.id });
  const now = deps.clock.now();
  const attempt = rotated ? { kind: 'web' as const, session: rotated.session } : null;
  const standing = deriveStanding({ attempt, account: set.account, policy: org.policy, now, hasSecondFactor: false, browserTrusted: false });
  return { ok: true, cookieValue: rotated?.cookieValue ?? null, standing };
}

/**
 * "Send me a new link" from an expired or used welcome link. Mails a fresh link only when the
 * link's secret is right and the account still has no password; the answer is the same either
 * way. Every renewal counts as a guess: it is a way to probe tokens too.
 */
export async function renewWelcome(deps: Deps, org: Organization, client: RequestContext, token: string): Promise<Ok | Failure<'rate_limited', { retryAfterSeconds: number }>> {
  const throttled = await countGuess({ db: deps.db, tenantId: org.tenantId, ip: client.ip, now: deps.clock.now() });
  if (throttled !== null) {
    // SECURITY 37: a throttled burst is one audit row when it starts and one with its count at the end.
    await noteThrottled(deps.db, deps.clock.now(), org.tenantId, client, { event: 'requests_throttled', request: 'welcome_renewal', scope: 'network' });
    return { ok: false, error: 'rate_limited', retryAfterSeconds: throttled };
  }
  const lookup = await lookUpAccountToken(deps.db, org.tenantId, 'welcome', token, deps.clock.now());
  if (!lookup.ok && lookup.error === 'unknown') return { ok: true };
  const account = lookup.account;
  if (account.state !== 'invited') return { ok: true };
  const limit = await hitRateLimit(deps.db, org.tenantId, `welcome_renewal:${account.id}`, { limit: 3, windowSeconds: 3600 }, deps.clock.now());
  if (!limit.allowed) return { ok: true };
  await deps.db.transaction(async (tx) => {
    await recordAudit(tx, deps.clock.now(), client, { tenantId: org.tenantId, event: 'welcome_link_renewal_requested', outcome: 'success', subjectAccountId: account.id });
    await sendWelcome(tx, deps, org, account, { actorAccountId: null, client });
  });
  return { ok: true };
}
