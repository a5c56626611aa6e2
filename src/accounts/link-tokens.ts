import { addSeconds, type Clock } from '../core/clock.js';
import type { Failure, Ok } from '../core/outcome.js';
import type { RandomSource } from '../core/random.js';
import { issueToken, parseToken, secretMatches } from '../core/token.js';
import type { Queryable } from '../db/db.js';
import { findAccountById, type Account } from './accounts.js';

export type TokenPurpose = 'welcome' | 'reset';

/** Issues a link token and voids every older one of the same purpose (SPEC 4.1, 4.4: the newest link wins). */
export async function issueAccountToken(
  db: Queryable,
  deps: { clock: Clock; random: RandomSource },
  account: Account,
  purpose: TokenPurpose,
  validSeconds: number,
): Promise<string> {
  const now = deps.clock.now();
  await db.query(
    `UPDATE account_token SET superseded_at = $4
      WHERE tenant_id = $1 AND account_id = $2 AND purpose = $3 AND used_at IS NULL AND superseded_at IS NULL`,
    [account.tenantId, account.id, purpose, now],
  );
  const token = issueToken(deps.random);
  await db.query(
    `INSERT INTO account_token (tenant_id, id, account_id, purpose, secret_hash, created_at, expires_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [account.tenantId, token.id, account.id, purpose, token.secretHash, now, addSeconds(now, validSeconds)],
  );
  return token.token;
}

/** Voids every unused link of an account (deactivation). */
export async function voidAccountTokens(db: Queryable, tenantId: string, accountId: string, now: Date): Promise<void> {
  await db.query('UPDATE account_token SET superseded_at = $3 WHERE tenant_id = $1 AND account_id = $2 AND used_at IS NULL AND superseded_at IS NULL', [
    tenantId,
    accountId,
    now,
  ]);
}

interface TokenRow {
  id: string;
  account_id: string;
  secret_hash: Uint8Array;
  expires_at: Date;
  used_at: Date | null;
  superseded_at: Date | null;
}

export type TokenLookup =
  | Ok<{ tokenId: string; account: Account }>
  /** The secret is right but the link is used, expired or superseded. */
  | Failure<'spent', { account: Account }>
  | Failure<'unknown'>;

/** Reads a link token without consuming it (GET must never consume: mail scanners follow links). */
export async function lookUpAccountToken(db: Queryable, tenantId: string, purpose: TokenPurpose, token: string, now: Date): Promise<TokenLookup> {
  const parsed = parseToken(token);
  if (!parsed) return { ok: false, error: 'unknown' };
  const rows = await db.query<TokenRow>(
    'SELECT id, account_id, secret_hash, expires_at, used_at, superseded_at FROM account_token WHERE tenant_id = $1 AND id = $2 AND purpose = $3',
    [tenantId, parsed.id, purpose],
  );
  const row = rows[0];
  if (!row || !secretMatches(parsed.secret, row.secret_hash)) return { ok: false, error: 'unknown' };
  const account = await findAccountById(db, tenantId, row.account_id);
  if (!account) return { ok: false, error: 'unknown' };
  const usable = row.used_at === null && row.superseded_at === null && row.expires_at.getTime() > now.getTime();
  return usable ? { ok: true, tokenId: row.id, account } : { ok: false, error: 'spent', account };
}

/** Compare-and-set: exactly one of two concurrent uses wins (SECURITY 13). */
export async function consumeAccountToken(db: Queryable, tenantId: string, tokenId: string, now: Date): Promise<boolean> {
  const rows = await db.query(
    `UPDATE account_token SET used_at = $3
      WHERE tenant_id = $1 AND id = $2 AND used_at IS NULL AND superseded_at IS NULL AND expires_at > $3 RETURNING id`,
    [tenantId, tokenId, now],
  );
  return rows.length === 1;
}
