import { addSeconds, type Clock } from '../core/clock.js';
import type { RandomSource } from '../core/random.js';
import { issueToken, parseToken, secretMatches } from '../core/token.js';
import type { Queryable } from '../db/db.js';

/** SPEC 4.7: the token behind the app's QR code lives 2 minutes and works once. */
export const qrTokenSeconds = 120;

/** A new QR token; returned once, stored as a hash. */
export async function issueQrToken(
  db: Queryable,
  deps: { clock: Clock; random: RandomSource },
  input: { tenantId: string; accountId: string; sessionLoginId: string },
): Promise<{ token: string; expiresAt: Date }> {
  const token = issueToken(deps.random);
  const now = deps.clock.now();
  const expiresAt = addSeconds(now, qrTokenSeconds);
  await db.query('INSERT INTO app_qr_token (tenant_id, id, account_id, secret_hash, created_at, expires_at, session_login_id) VALUES ($1, $2, $3, $4, $5, $6, $7)', [
    input.tenantId,
    token.id,
    input.accountId,
    token.secretHash,
    now,
    expiresAt,
    input.sessionLoginId,
  ]);
  return { token: token.token, expiresAt };
}

/**
 * Uses a QR token once: unknown, forged, used, expired and other organizations' tokens are all
 * null; of two concurrent uses exactly one wins (compare-and-set, SECURITY 13). A token whose
 * login has ended (logout, a reset, another account in that browser) is dead too (SECURITY 42).
 */
export async function consumeQrToken(db: Queryable, tenantId: string, token: string, now: Date): Promise<{ accountId: string } | null> {
  const parsed = parseToken(token);
  if (!parsed) return null;
  const [row] = await db.query<{ account_id: string; secret_hash: Uint8Array }>(
    'SELECT account_id, secret_hash FROM app_qr_token WHERE tenant_id = $1 AND id = $2 AND used_at IS NULL AND expires_at > $3',
    [tenantId, parsed.id, now],
  );
  if (!row || !secretMatches(parsed.secret, row.secret_hash)) return null;
  const used = await db.query(
    `UPDATE app_qr_token q SET used_at = $3
      WHERE q.tenant_id = $1 AND q.id = $2 AND q.used_at IS NULL AND q.expires_at > $3
        AND EXISTS (SELECT 1 FROM web_session s WHERE s.tenant_id = $1 AND s.login_id = q.session_login_id AND s.account_id = q.account_id)
      RETURNING q.id`,
    [tenantId, parsed.id, now],
  );
  return used.length === 1 ? { accountId: row.account_id } : null;
}

/** Ends every QR code of the account still on a screen (reset, deactivation, staff 2FA reset). */
export async function voidAccountQrTokens(db: Queryable, tenantId: string, accountId: string, now: Date): Promise<void> {
  await db.query('UPDATE app_qr_token SET expires_at = $3 WHERE tenant_id = $1 AND account_id = $2 AND used_at IS NULL AND expires_at > $3', [tenantId, accountId, now]);
}
