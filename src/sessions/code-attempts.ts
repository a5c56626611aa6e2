import type { Queryable } from '../db/db.js';
import { reserveChallengeCodeTry, resetChallengeCodeTries } from './app-login-challenges.js';
import { reserveSessionCodeTry, resetSessionCodeTries } from './web-sessions.js';

/**
 * The login attempt a code belongs to: a browser session, or an app login challenge. Its id also
 * binds SMS codes (a code sent for one attempt works in no other); the per-attempt code budget
 * (SPEC 4.5: 5 wrong codes end one attempt) is counted on its row.
 */
export type CodeAttempt = { kind: 'web'; sessionId: string } | { kind: 'app'; challengeId: string };

export function codeAttemptId(attempt: CodeAttempt): string {
  return attempt.kind === 'web' ? attempt.sessionId : attempt.challengeId;
}

/** Counts one try if the attempt has any left: the count after it, or null when the attempt is spent (or gone). */
export function reserveAttemptCodeTry(db: Queryable, tenantId: string, attempt: CodeAttempt, tries: number): Promise<number | null> {
  return attempt.kind === 'web' ? reserveSessionCodeTry(db, tenantId, attempt.sessionId, tries) : reserveChallengeCodeTry(db, tenantId, attempt.challengeId, tries);
}

export function resetAttemptCodeTries(db: Queryable, tenantId: string, attempt: CodeAttempt): Promise<void> {
  return attempt.kind === 'web' ? resetSessionCodeTries(db, tenantId, attempt.sessionId) : resetChallengeCodeTries(db, tenantId, attempt.challengeId);
}
