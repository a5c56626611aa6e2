import type { Account } from '../../accounts/accounts.js';
import type { WebSession } from '../../sessions/web-sessions.js';
import { twoFactorRequirementFor, type Policy } from '../../tenants/policy.js';

/**
 * What the holder of a login attempt may do next, derived from stored facts in this one place
 * (the model is Keycloak's "required actions"). A login attempt is a browser session or an app
 * login; every page, every API call and every journey asks this instead of keeping its own guards.
 * The diagram of all standings is in README.md beside this file.
 */
export type Standing =
  | { kind: 'anonymous' }
  /** The absolute limit has passed, or the account or its password changed: the attempt must end. */
  | { kind: 'expired' }
  /** No password yet in this attempt, or idle too long without two-step verification: the password is asked. */
  | { kind: 'needs_password'; account: Account }
  /** Password given, code not yet (or idle too long with two-step verification): a code is asked. */
  | { kind: 'needs_second_factor'; account: Account; reason: 'login' | 'idle' }
  /** The org requires two-step verification for this role and it is not set up: set it up first (in a browser). */
  | { kind: 'needs_two_factor_setup'; account: Account }
  /** Recovery codes were shown and are not yet confirmed as stored (a browser session only). */
  | { kind: 'needs_recovery_codes_stored'; account: Account }
  | { kind: 'authenticated'; account: Account };

/**
 * The stored facts of one attempt. A browser session carries idle and absolute limits and may
 * hold recovery codes on display; an app login is short-lived (its challenge ends in 5 minutes)
 * and knows only when its password and code were right.
 */
export type AttemptFacts =
  | { kind: 'web'; session: WebSession }
  | { kind: 'app'; accountId: string; passwordVerifiedAt: Date; secondFactorVerifiedAt: Date | null };

export interface StandingFacts {
  attempt: AttemptFacts | null;
  account: Account | null;
  policy: Policy;
  now: Date;
  /** The account has an active second factor. */
  hasSecondFactor: boolean;
  /** This browser holds a valid trusted-browser record of this account (SPEC 4.6); never for the app. */
  browserTrusted: boolean;
}

interface CommonFacts {
  accountId: string | null;
  passwordVerifiedAt: Date | null;
  secondFactorVerifiedAt: Date | null;
  /** Only a browser session has idle and absolute limits and recovery codes on display. */
  web: { authenticatedAt: Date | null; lastSeenAt: Date; recoveryCodesWaiting: boolean } | null;
}

function commonFacts(attempt: AttemptFacts): CommonFacts {
  if (attempt.kind === 'app') return { accountId: attempt.accountId, passwordVerifiedAt: attempt.passwordVerifiedAt, secondFactorVerifiedAt: attempt.secondFactorVerifiedAt, web: null };
  const s = attempt.session;
  return {
    accountId: s.accountId,
    passwordVerifiedAt: s.passwordVerifiedAt,
    secondFactorVerifiedAt: s.secondFactorVerifiedAt,
    web: { authenticatedAt: s.authenticatedAt, lastSeenAt: s.lastSeenAt, recoveryCodesWaiting: s.recoveryCodesSealed !== null },
  };
}

/** A second factor counts only where the org's policy for the role is not `off` (the factor-in-force rule). */
export function factorInForce(policy: Policy, role: Account['role'], hasSecondFactor: boolean): boolean {
  return hasSecondFactor && twoFactorRequirementFor(policy, role) !== 'off';
}

export function deriveStanding(facts: StandingFacts): Standing {
  const { account, policy, now } = facts;
  if (!facts.attempt) return { kind: 'anonymous' };
  const attempt = commonFacts(facts.attempt);
  if (!attempt.accountId || !account || account.id !== attempt.accountId) return { kind: 'anonymous' };
  if (account.state !== 'active') return { kind: 'expired' };
  const web = attempt.web;
  if (web?.authenticatedAt && now.getTime() - web.authenticatedAt.getTime() >= policy.absoluteHours * 3600_000) return { kind: 'expired' };
  if (!attempt.passwordVerifiedAt) return { kind: 'needs_password', account };
  // A password set or changed after this attempt verified one makes its proof stale.
  if (account.passwordChangedAt && account.passwordChangedAt.getTime() > attempt.passwordVerifiedAt.getTime()) return { kind: 'expired' };
  const idle = web !== null && now.getTime() - web.lastSeenAt.getTime() >= policy.idleMinutes * 60_000;

  if (factorInForce(policy, account.role, facts.hasSecondFactor)) {
    // Within the code validity, a trusted browser skips the code (SPEC 4.6), never the idle limit:
    // after idleMinutes it asks the password again (SECURITY 43); without trust, the code.
    if (facts.browserTrusted) {
      if (idle) return { kind: 'needs_password', account };
    } else {
      if (!attempt.secondFactorVerifiedAt) return { kind: 'needs_second_factor', account, reason: 'login' };
      if (idle) return { kind: 'needs_second_factor', account, reason: 'idle' };
    }
  } else {
    if (idle) return { kind: 'needs_password', account };
    if (twoFactorRequirementFor(policy, account.role) === 'required') return { kind: 'needs_two_factor_setup', account };
  }
  if (web?.recoveryCodesWaiting) return { kind: 'needs_recovery_codes_stored', account };
  return { kind: 'authenticated', account };
}
