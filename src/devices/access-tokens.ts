import type { Account } from '../accounts/accounts.js';
import { findAccountById } from '../accounts/accounts.js';
import { addSeconds } from '../core/clock.js';
import { issueToken, parseToken, secretMatches } from '../core/token.js';
import type { Queryable } from '../db/db.js';
import type { Deps } from '../deps.js';
import type { AppDevice } from './devices.js';

/** SPEC 5: access tokens of 256 random bits, stored hashed, valid 15 minutes. */
export const accessTokenSeconds = 15 * 60;

export async function issueAccessToken(db: Queryable, deps: Pick<Deps, 'clock' | 'random'>, device: AppDevice): Promise<string> {
  const token = issueToken(deps.random);
  const now = deps.clock.now();
  await db.query('INSERT INTO app_access_token (tenant_id, id, device_id, account_id, secret_hash, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)', [
    device.tenantId,
    token.id,
    device.id,
    device.accountId,
    token.secretHash,
    now,
    addSeconds(now, accessTokenSeconds),
  ]);
  return token.token;
}

/** The account behind a bearer token, with its device and expiry: unexpired, not revoked, its device present, the account active. */
export async function findAccessToken(db: Queryable, tenantId: string, bearer: string, now: Date): Promise<{ tokenId: string; account: Account; deviceId: string; expiresAt: Date } | null> {
  const parsed = parseToken(bearer);
  if (!parsed) return null;
  const [row] = await db.query<{ id: string; account_id: string; device_id: string; secret_hash: Uint8Array; expires_at: Date }>(
    `SELECT t.id, t.account_id, t.device_id, t.secret_hash, t.expires_at FROM app_access_token t
       JOIN app_device d ON d.tenant_id = t.tenant_id AND d.id = t.device_id
      WHERE t.tenant_id = $1 AND t.id = $2 AND t.revoked_at IS NULL AND t.expires_at > $3 AND d.removed_at IS NULL`,
    [tenantId, parsed.id, now],
  );
  if (!row || !secretMatches(parsed.secret, row.secret_hash)) return null;
  const account = await findAccountById(db, tenantId, row.account_id);
  return account && account.state === 'active' ? { tokenId: row.id, account, deviceId: row.device_id, expiresAt: row.expires_at } : null;
}

export async function revokeAccessToken(db: Queryable, tenantId: string, tokenId: string, now: Date): Promise<void> {
  await db.query('UPDATE app_access_token SET revoked_at = $3 WHERE tenant_id = $1 AND id = $2 AND revoked_at IS NULL', [tenantId, tokenId, now]);
}
