import { setAccountPassword, type Account, type AccountState } from '../accounts/accounts.js';
import type { Queryable } from '../db/db.js';
import type { Deps } from '../deps.js';
import { hashPassword } from '../factors/password/hashing.js';
import { checkNewPassword, type PasswordProblem } from '../factors/password/rules.js';
import type { Organization } from '../tenants/organizations.js';
import { consumeAccountToken, lookUpAccountToken, type TokenPurpose } from './account-tokens.js';
import type { CodeCheckOutcome } from './second-factor-check.js';

/** The org's password rules applied to one account (SPEC 3). */
export function checkPasswordForAccount(
  org: Organization,
  account: Pick<Account, 'email' | 'passwordHash'>,
  input: { password: string; passwordConfirm: string },
): Promise<PasswordProblem[]> {
  return checkNewPassword({
    policy: org.policy,
    context: { email: account.email, orgName: org.name, orgSlug: org.slug },
    password: input.password,
    passwordConfirm: input.passwordConfirm,
    currentPasswordHash: account.passwordHash,
  });
}

export type LinkPasswordOutcome =
  | { ok: true; account: Account }
  | { ok: false; error: 'invalid_link' }
  | { ok: false; error: 'password_rejected'; problems: PasswordProblem[] }
  | { ok: false; error: 'code_rejected'; check: Exclude<CodeCheckOutcome, { ok: true }> | null };

/** A further proof asked after the rules pass and before anything is written (the reset's code). */
export type BeforeCommit = (account: Account) => Promise<{ ok: true } | { ok: false; error: 'code_rejected'; check: Exclude<CodeCheckOutcome, { ok: true }> | null }>;

/**
 * What the welcome and reset links share: the link must be usable for an account in the expected
 * state, the password must pass the rules (checked, and hashed, before anything is written), and
 * then, in one transaction, the token is used (exactly one of two racing requests wins), the
 * password set, and the flow's own further steps run (SECURITY 13, 31).
 */
export async function setPasswordThroughLink(
  deps: Deps,
  org: Organization,
  link: { purpose: TokenPurpose; accountState: AccountState; token: string },
  input: { password: string; passwordConfirm: string },
  alsoInTransaction: (tx: Queryable, account: Account, now: Date) => Promise<void>,
  beforeCommit?: BeforeCommit,
): Promise<LinkPasswordOutcome> {
  const lookup = await lookUpAccountToken(deps.db, org.tenantId, link.purpose, link.token, deps.clock.now());
  if (!lookup.usable || lookup.account.state !== link.accountState) return { ok: false, error: 'invalid_link' };
  const account = lookup.account;
  const problems = await checkPasswordForAccount(org, account, input);
  if (problems.length > 0) return { ok: false, error: 'password_rejected', problems };
  if (beforeCommit) {
    const proof = await beforeCommit(account);
    if (!proof.ok) return proof;
  }
  const passwordHash = await hashPassword(input.password);
  const now = deps.clock.now();
  const done = await deps.db.transaction(async (tx) => {
    if (!(await consumeAccountToken(tx, org.tenantId, lookup.tokenId, now))) return false;
    await setAccountPassword(tx, org.tenantId, account.id, passwordHash, now);
    await alsoInTransaction(tx, account, now);
    return true;
  });
  if (!done) return { ok: false, error: 'invalid_link' };
  return { ok: true, account: { ...account, state: 'active', passwordHash, passwordChangedAt: now, failedLoginCount: 0, lastFailedLoginAt: null } };
}
