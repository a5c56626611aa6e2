import type { Clock } from '../core/clock.js';
import type { RandomSource } from '../core/random.js';
import { issueToken, parseToken, secretMatches } from '../core/token.js';
import type { Queryable } from '../db/db.js';

/** A browser session. Facts only; what it allows is derived by the login journey (flows/login/standing.ts). */
export interface WebSession {
  tenantId: string;
  id: string;
  accountId: string | null;
  createdAt: Date;
  lastSeenAt: Date;
  authenticatedAt: Date | null;
  passwordVerifiedAt: Date | null;
  secondFactorVerifiedAt: Date | null;
  /** A passkey with user verification proved this login (SPEC 11): both steps at once. */
  passkeyVerifiedAt: Date | null;
  /** Wrong codes in this login attempt. */
  codeFailures: number;
  /** Recovery codes shown but not yet confirmed as stored (sealed); shown again until confirmed. */
  recoveryCodesSealed: string | null;
  /** The same across the id renewals of one login; what a QR code shown in it is bound to. */
  loginId: string;
}

interface SessionRow {
  tenant_id: string;
  id: string;
  secret_hash: Uint8Array;
  account_id: string | null;
  created_at: Date;
  last_seen_at: Date;
  authenticated_at: Date | null;
  password_verified_at: Date | null;
  second_factor_verified_at: Date | null;
  passkey_verified_at: Date | null;
  code_failures: number;
  recovery_codes_sealed: string | null;
  login_id: string;
}

const sessionColumns = `tenant_id, id, secret_hash, account_id, created_at, last_seen_at, authenticated_at, password_verified_at,
  second_factor_verified_at, passkey_verified_at, code_failures, recovery_codes_sealed, login_id`;

const toSession = (row: SessionRow): WebSession => ({
  tenantId: row.tenant_id,
  id: row.id,
  accountId: row.account_id,
  createdAt: row.created_at,
  lastSeenAt: row.last_seen_at,
  authenticatedAt: row.authenticated_at,
  passwordVerifiedAt: row.password_verified_at,
  secondFactorVerifiedAt: row.second_factor_verified_at,
  passkeyVerifiedAt: row.passkey_verified_at,
  codeFailures: row.code_failures,
  recoveryCodesSealed: row.recovery_codes_sealed,
  loginId: row.login_id,
});

/** The cookie value is the session token `id.secret`; it is returned only here and on rotation. */
export async function createSession(
  db: Queryable,
  deps: { clock: Clock; random: RandomSource },
  tenantId: string,
  client: { ip: string | null; userAgent: string | null },
): Promise<{ session: WebSession; cookieValue: string }> {
  const token = issueToken(deps.random);
  const now = deps.clock.now();
  const rows = await db.query<SessionRow>(
    `INSERT INTO web_session (tenant_id, id, secret_hash, created_at, last_seen_at, ip, user_agent, login_id)
     VALUES ($1, $2, $3, $4, $4, $5, $6, $7) RETURNING ${sessionColumns}`,
    [tenantId, token.id, token.secretHash, now, client.ip, client.userAgent?.slice(0, 512) ?? null, deps.random.uuid()],
  );
  return { session: toSession(rows[0]!), cookieValue: token.token };
}

/** The session a cookie names in this organization, or null (unknown, forged, other org's). */
export async function findSession(db: Queryable, tenantId: string, cookieValue: string | undefined): Promise<WebSession | null> {
  const parsed = cookieValue ? parseToken(cookieValue) : null;
  if (!parsed) return null;
  const rows = await db.query<SessionRow>(`SELECT ${sessionColumns} FROM web_session WHERE tenant_id = $1 AND id = $2`, [tenantId, parsed.id]);
  const row = rows[0];
  if (!row || !secretMatches(parsed.secret, row.secret_hash)) return null;
  return toSession(row);
}

/** Activity is written at most once a minute: idle limits are counted in minutes. */
export async function touchSession(db: Queryable, session: WebSession, now: Date): Promise<void> {
  if (now.getTime() - session.lastSeenAt.getTime() < 60_000) return;
  await db.query('UPDATE web_session SET last_seen_at = $3 WHERE tenant_id = $1 AND id = $2', [session.tenantId, session.id, now]);
}

export type SessionChange =
  | { kind: 'password_verified'; accountId: string }
  | { kind: 'second_factor_verified' }
  /** A passkey with user verification (SPEC 11): a whole login, both steps proven now. */
  | { kind: 'passkey_verified'; accountId: string }
  /**
   * A step-up (SPEC 4.5): the password and/or a code proven again. It is a proof for sensitive
   * actions for 10 minutes, in this session only (see step-up.ts).
   */
  | { kind: 'step_up'; password: boolean; code: boolean; passkey: boolean };

/**
 * Gives the session a new id and secret (SECURITY 15: after the password step, the code step and
 * every step-up) and records what was verified. A password step always starts a fresh login
 * attempt: an earlier code verification does not carry over (else an idle session could be
 * revived with the password alone), and the attempt's code budget starts anew. For another
 * account than the session had, the absolute limit starts anew too.
 */
export async function rotateSession(
  db: Queryable,
  deps: { clock: Clock; random: RandomSource },
  session: WebSession,
  change: SessionChange,
): Promise<{ session: WebSession; cookieValue: string } | null> {
  const token = issueToken(deps.random);
  const now = deps.clock.now();
  const sql =
    change.kind === 'password_verified' || change.kind === 'passkey_verified'
      ? `UPDATE web_session SET id = $3, secret_hash = $4, last_seen_at = $5, password_verified_at = $5,
           authenticated_at = CASE WHEN account_id = $6 THEN coalesce(authenticated_at, $5) ELSE $5 END,
           second_factor_verified_at = CASE WHEN $8 THEN $5 END, passkey_verified_at = CASE WHEN $8 THEN $5 END, code_failures = 0,
           recovery_codes_sealed = CASE WHEN account_id = $6 THEN recovery_codes_sealed ELSE NULL END,
           login_id = CASE WHEN account_id = $6 THEN login_id ELSE $7::uuid END,
           account_id = $6
         WHERE tenant_id = $1 AND id = $2 RETURNING ${sessionColumns}`
      : change.kind === 'second_factor_verified'
        ? `UPDATE web_session SET id = $3, secret_hash = $4, last_seen_at = $5, second_factor_verified_at = $5, code_failures = 0
           WHERE tenant_id = $1 AND id = $2 AND account_id IS NOT NULL RETURNING ${sessionColumns}`
        : `UPDATE web_session SET id = $3, secret_hash = $4,
             password_verified_at = CASE WHEN $6 THEN $5 ELSE password_verified_at END,
             second_factor_verified_at = CASE WHEN $7 THEN $5 ELSE second_factor_verified_at END,
             passkey_verified_at = CASE WHEN $8 THEN $5 ELSE passkey_verified_at END
           WHERE tenant_id = $1 AND id = $2 AND account_id IS NOT NULL RETURNING ${sessionColumns}`;
  const params = [session.tenantId, session.id, token.id, token.secretHash, now];
  // Another account in this browser is another login: what the last one showed (a QR code) ends.
  const extra = change.kind === 'password_verified' || change.kind === 'passkey_verified' ? [change.accountId, deps.random.uuid(), change.kind === 'passkey_verified'] : change.kind === 'step_up' ? [change.password, change.code, change.passkey] : [];
  const rows = await db.query<SessionRow>(sql, [...params, ...extra]);
  return rows[0] ? { session: toSession(rows[0]), cookieValue: token.token } : null;
}

/** Counts one code try of this session's login attempt if it has any left; the count after it, or null when none were left. */
export async function reserveSessionCodeTry(db: Queryable, tenantId: string, sessionId: string, tries: number): Promise<number | null> {
  const [row] = await db.query<{ code_failures: number }>(
    'UPDATE web_session SET code_failures = code_failures + 1 WHERE tenant_id = $1 AND id = $2 AND code_failures < $3 RETURNING code_failures',
    [tenantId, sessionId, tries],
  );
  return row ? row.code_failures : null;
}

export async function resetSessionCodeTries(db: Queryable, tenantId: string, sessionId: string): Promise<void> {
  await db.query('UPDATE web_session SET code_failures = 0 WHERE tenant_id = $1 AND id = $2', [tenantId, sessionId]);
}

/** New recovery codes wait in the session, sealed, until the user confirms they stored them; null clears them. */
export async function setRecoveryCodesOnDisplay(db: Queryable, tenantId: string, sessionId: string, sealed: string | null): Promise<void> {
  await db.query('UPDATE web_session SET recovery_codes_sealed = $3 WHERE tenant_id = $1 AND id = $2', [tenantId, sessionId, sealed]);
}

export async function deleteSession(db: Queryable, tenantId: string, sessionId: string): Promise<void> {
  await db.query('DELETE FROM web_session WHERE tenant_id = $1 AND id = $2', [tenantId, sessionId]);
}

/** Ends every web session of an account, optionally keeping one (the one that made the change). */
export async function deleteAccountSessions(db: Queryable, tenantId: string, accountId: string, exceptSessionId?: string): Promise<number> {
  const rows = await db.query(
    'DELETE FROM web_session WHERE tenant_id = $1 AND account_id = $2 AND ($3::text IS NULL OR id <> $3::text) RETURNING id',
    [tenantId, accountId, exceptSessionId ?? null],
  );
  return rows.length;
}

/** Removes sessions nobody can use any more: never logged in and idle a day, or older than any absolute limit. */
export async function purgeStaleSessions(db: Queryable, now: Date, onlyTenantId: string | null = null): Promise<number> {
  const rows = await db.query(
    `DELETE FROM web_session WHERE ((account_id IS NULL AND last_seen_at < $1) OR created_at < $2) AND ($3::uuid IS NULL OR tenant_id = $3::uuid) RETURNING id`,
    [new Date(now.getTime() - 24 * 3600_000), new Date(now.getTime() - 31 * 24 * 3600_000), onlyTenantId],
  );
  return rows.length;
}

/** The logged-in sessions that carry these logins (the OpenID provider's links name logins, not session ids). */
export async function sessionsOfLogins(db: Queryable, tenantId: string, loginIds: string[]): Promise<WebSession[]> {
  if (loginIds.length === 0) return [];
  const rows = await db.query<SessionRow>(`SELECT ${sessionColumns} FROM web_session WHERE tenant_id = $1 AND login_id = ANY($2::uuid[]) AND account_id IS NOT NULL`, [tenantId, loginIds]);
  return rows.map(toSession);
}
