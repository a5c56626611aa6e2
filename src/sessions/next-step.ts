import type { Account } from '../accounts/accounts.js';
import type { Policy, TwoFactorRequirement } from '../tenants/policy.js';
import type { WebSession } from './sessions.js';

/**
 * What a session's holder may do, derived from stored facts in this one place (the model is
 * Keycloak's "required actions"). Every page asks this instead of keeping its own guards.
 */
export type SessionStanding =
  | { kind: 'anonymous' }
  /** The absolute limit has passed, or the account or its password changed: the session must end. */
  | { kind: 'expired' }
  /** Idle too long without two-step verification: the password is asked again. */
  | { kind: 'needs_password'; account: Account }
  /** Password given, code not yet (or idle too long with two-step verification): a code is asked. */
  | { kind: 'needs_second_factor'; account: Account; reason: 'login' | 'idle' }
  /** The org requires two-step verification for this role and it is not set up: set it up first. */
  | { kind: 'needs_two_factor_setup'; account: Account }
  /** Recovery codes were shown and are not yet confirmed as stored. */
  | { kind: 'needs_recovery_codes_stored'; account: Account }
  | { kind: 'authenticated'; account: Account };

export interface StandingFacts {
  session: WebSession | null;
  account: Account | null;
  policy: Policy;
  now: Date;
  /** The account has an active second factor. */
  hasSecondFactor: boolean;
  /** This browser holds a valid trusted-browser record of this account (SPEC 4.6). */
  browserTrusted: boolean;
}

export function twoFactorRequirementFor(policy: Policy, role: Account['role']): TwoFactorRequirement {
  return role === 'client' ? policy.twoFactorClients : policy.twoFactorStaff;
}

export function deriveStanding(facts: StandingFacts): SessionStanding {
  const { session, account, policy, now } = facts;
  if (!session || !session.accountId || !account || account.id !== session.accountId) return { kind: 'anonymous' };
  if (account.state !== 'active') return { kind: 'expired' };
  if (session.authenticatedAt && now.getTime() - session.authenticatedAt.getTime() >= policy.absoluteHours * 3600_000) return { kind: 'expired' };
  if (!session.passwordVerifiedAt) return { kind: 'needs_password', account };
  // A password set or changed after this session verified one makes the session's proof stale.
  if (account.passwordChangedAt && account.passwordChangedAt.getTime() > session.passwordVerifiedAt.getTime()) return { kind: 'expired' };
  const idle = now.getTime() - session.lastSeenAt.getTime() >= policy.idleMinutes * 60_000;

  if (facts.hasSecondFactor && twoFactorRequirementFor(policy, account.role) !== 'off') {
    // Within the code validity on a trusted browser, neither login nor inactivity asks a code (SPEC 4.6).
    if (!facts.browserTrusted) {
      if (!session.secondFactorVerifiedAt) return { kind: 'needs_second_factor', account, reason: 'login' };
      if (idle) return { kind: 'needs_second_factor', account, reason: 'idle' };
    }
  } else {
    if (idle) return { kind: 'needs_password', account };
    if (twoFactorRequirementFor(policy, account.role) === 'required') return { kind: 'needs_two_factor_setup', account };
  }
  if (session.recoveryCodesSealed) return { kind: 'needs_recovery_codes_stored', account };
  return { kind: 'authenticated', account };
}

/** SPEC 4.5: a step-up proof lasts 10 minutes and belongs to one session. */
export const stepUpValidSeconds = 10 * 60;

export function hasFreshProof(session: WebSession, now: Date, proof: 'password' | 'code'): boolean {
  const at = proof === 'password' ? session.passwordVerifiedAt : session.secondFactorVerifiedAt;
  return at !== null && now.getTime() - at.getTime() < stepUpValidSeconds * 1000;
}
