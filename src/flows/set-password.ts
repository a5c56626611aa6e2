import { setAccountPassword, type Account, type AccountState } from '../accounts/accounts.js';
import { consumeAccountToken, lookUpAccountToken, type TokenPurpose } from '../accounts/link-tokens.js';
import type { RequestContext } from '../audit/audit.js';
import { guessOneUseCredential } from '../core/guess-budget.js';
import { clientIpKey, hitRateLimit } from '../core/rate-limit.js';
import type { Failure, Ok } from '../core/outcome.js';
import type { Queryable } from '../db/db.js';
import type { Deps } from '../deps.js';
import { hashPassword } from '../factors/password/hashing.js';
import { rejectNewPassword, type PasswordRejection } from '../factors/password/new-password.js';
import type { Locale, Organization } from '../tenants/organizations.js';

/** What the welcome and reset links share: the link is the proof, a new password its purpose. */
export interface OpenLink {
  tokenId: string;
  account: Account;
}

export type LinkFailure = Failure<'invalid_link'> | Failure<'rate_limited', { retryAfterSeconds: number }>;

const linkStates: Record<TokenPurpose, AccountState> = { welcome: 'invited', reset: 'active' };

/**
 * The link a token names, for an account in the state its purpose expects; unknown, used,
 * expired and superseded links are all `invalid_link` (SECURITY 13). Every look counts as a guess
 * first and a right link takes it back (SECURITY 9). Looking never consumes the link (GET must
 * not: mail scanners follow links).
 */
export async function openAccountLink(deps: Deps, org: Organization, client: RequestContext, purpose: TokenPurpose, token: string): Promise<Ok<OpenLink> | LinkFailure> {
  const now = deps.clock.now();
  const found = await guessOneUseCredential({ db: deps.db, tenantId: org.tenantId, ip: client.ip, now }, async () => {
    const lookup = await lookUpAccountToken(deps.db, org.tenantId, purpose, token, now);
    return lookup.ok && lookup.account.state === linkStates[purpose] ? { tokenId: lookup.tokenId, account: lookup.account } : null;
  });
  if (!found.ok) return found.error === 'rate_limited' ? found : { ok: false, error: 'invalid_link' };
  return { ok: true, ...found.value };
}

export type SetPasswordFailure =
  | Failure<'invalid_link'>
  | Failure<'password_rejected', { rejection: PasswordRejection }>
  | Failure<'rate_limited', { retryAfterSeconds: number }>;

/**
 * SECURITY 35: a right link is no licence to spend CPU. Every password posted through a link is
 * counted — per link and per network, right or wrong, before the estimate and the hash run.
 */
export const linkPasswordSubmissions = {
  perLink: { limit: 10, windowSeconds: 3600 },
  perNetwork: { limit: 30, windowSeconds: 600 },
} as const;

async function countLinkSubmission(deps: Deps, org: Organization, client: RequestContext, link: OpenLink): Promise<Failure<'rate_limited', { retryAfterSeconds: number }> | null> {
  const now = deps.clock.now();
  for (const [key, rule] of [
    [`link_password:${link.tokenId}`, linkPasswordSubmissions.perLink],
    [`link_password_net:${clientIpKey(client.ip)}`, linkPasswordSubmissions.perNetwork],
  ] as const) {
    const counted = await hitRateLimit(deps.db, org.tenantId, key, rule, now);
    if (!counted.allowed) return { ok: false, error: 'rate_limited', retryAfterSeconds: counted.retryAfterSeconds };
  }
  return null;
}

/**
 * Sets a new password through an open link: the password must pass the rules (checked, and
 * hashed, before anything is written), `beforeCommit` may ask a further proof (the reset's code),
 * and then, in one transaction, the token is used (exactly one of two racing requests wins), the
 * password set, and the journey's own further steps run (SECURITY 13, 31).
 */
export async function setPasswordThroughLink<F extends Failure<string> = never>(
  deps: Deps,
  org: Organization,
  client: RequestContext,
  link: OpenLink,
  input: { password: string; passwordConfirm: string; locale: Locale },
  alsoInTransaction: (tx: Queryable, account: Account, now: Date) => Promise<void>,
  beforeCommit?: () => Promise<F | null>,
): Promise<Ok<{ account: Account }> | SetPasswordFailure | F> {
  const throttled = await countLinkSubmission(deps, org, client, link);
  if (throttled) return throttled;
  // The tip speaks the account's own language where staff set one (issue 12 stumble 10), as the page does.
  const rejection = await rejectNewPassword(org, link.account, input, link.account.locale ?? input.locale);
  if (rejection) return { ok: false, error: 'password_rejected', rejection };
  const refused = beforeCommit ? await beforeCommit() : null;
  if (refused) return refused;
  const passwordHash = await hashPassword(input.password);
  const now = deps.clock.now();
  const done = await deps.db.transaction(async (tx) => {
    if (!(await consumeAccountToken(tx, org.tenantId, link.tokenId, now))) return false;
    await setAccountPassword(tx, org.tenantId, link.account.id, passwordHash, now);
    await alsoInTransaction(tx, link.account, now);
    return true;
  });
  if (!done) return { ok: false, error: 'invalid_link' };
  return { ok: true, account: { ...link.account, state: 'active', passwordHash, passwordChangedAt: now, failedLoginCount: 0, lastFailedLoginAt: null } };
}
