import type { Account } from '../accounts/accounts.js';
import type { Policy } from '../tenants/policy.js';
import type { WebSession } from './sessions.js';

/**
 * What a session's holder may do, derived from stored facts in this one place (the model is
 * Keycloak's "required actions"). Every page asks this instead of keeping its own guards.
 * Second-factor steps join here when two-step authentication is built.
 */
export type SessionStanding =
  | { kind: 'anonymous' }
  /** The absolute limit has passed: the session must end. */
  | { kind: 'expired' }
  /** Idle too long (or never finished the password step): the password is asked again. */
  | { kind: 'needs_password'; account: Account }
  | { kind: 'authenticated'; account: Account };

export function deriveStanding(input: { session: WebSession | null; account: Account | null; policy: Policy; now: Date }): SessionStanding {
  const { session, account, policy, now } = input;
  if (!session || !session.accountId || !account || account.id !== session.accountId) return { kind: 'anonymous' };
  if (account.state !== 'active') return { kind: 'expired' };
  if (session.authenticatedAt && now.getTime() - session.authenticatedAt.getTime() >= policy.absoluteHours * 3600_000) return { kind: 'expired' };
  if (!session.passwordVerifiedAt) return { kind: 'needs_password', account };
  // A password set or changed after this session verified one makes the session's proof stale.
  if (account.passwordChangedAt && account.passwordChangedAt.getTime() > session.passwordVerifiedAt.getTime()) return { kind: 'expired' };
  if (now.getTime() - session.lastSeenAt.getTime() >= policy.idleMinutes * 60_000) return { kind: 'needs_password', account };
  return { kind: 'authenticated', account };
}
