import type { Queryable } from '../../db/db.js';

/** A passkey of an account (SPEC 11). The public key and counter are what later logins are checked against. */
export interface Passkey {
  tenantId: string;
  id: string;
  accountId: string;
  credentialId: string;
  publicKey: Uint8Array;
  counter: number;
  transports: string[];
  deviceType: 'singleDevice' | 'multiDevice';
  backedUp: boolean;
  name: string;
  createdAt: Date;
  lastUsedAt: Date | null;
}

interface PasskeyRow {
  tenant_id: string;
  id: string;
  account_id: string;
  credential_id: string;
  public_key: Uint8Array;
  counter: string | number;
  transports: string[];
  device_type: 'singleDevice' | 'multiDevice';
  backed_up: boolean;
  name: string;
  created_at: Date;
  last_used_at: Date | null;
}

const passkeyColumns = 'tenant_id, id, account_id, credential_id, public_key, counter, transports, device_type, backed_up, name, created_at, last_used_at';

const toPasskey = (row: PasskeyRow): Passkey => ({
  tenantId: row.tenant_id,
  id: row.id,
  accountId: row.account_id,
  credentialId: row.credential_id,
  publicKey: new Uint8Array(row.public_key),
  counter: Number(row.counter),
  transports: row.transports,
  deviceType: row.device_type,
  backedUp: row.backed_up,
  name: row.name,
  createdAt: row.created_at,
  lastUsedAt: row.last_used_at,
});

/** At most this many passkeys per account: enough for every phone, laptop and security key one has. */
export const maxPasskeysPerAccount = 20;

/** Stores a new passkey; false if the credential is already this organization's (it is never moved to another account). */
export async function insertPasskey(db: Queryable, passkey: Omit<Passkey, 'lastUsedAt'>): Promise<boolean> {
  const rows = await db.query(
    `INSERT INTO passkey (tenant_id, id, account_id, credential_id, public_key, counter, transports, device_type, backed_up, name, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT DO NOTHING RETURNING id`,
    [passkey.tenantId, passkey.id, passkey.accountId, passkey.credentialId, passkey.publicKey, passkey.counter, passkey.transports, passkey.deviceType, passkey.backedUp, passkey.name, passkey.createdAt],
  );
  return rows.length > 0;
}

export async function listPasskeys(db: Queryable, tenantId: string, accountId: string): Promise<Passkey[]> {
  const rows = await db.query<PasskeyRow>(`SELECT ${passkeyColumns} FROM passkey WHERE tenant_id = $1 AND account_id = $2 ORDER BY created_at`, [tenantId, accountId]);
  return rows.map(toPasskey);
}

export async function findPasskeyByCredential(db: Queryable, tenantId: string, credentialId: string): Promise<Passkey | null> {
  const rows = await db.query<PasskeyRow>(`SELECT ${passkeyColumns} FROM passkey WHERE tenant_id = $1 AND credential_id = $2`, [tenantId, credentialId]);
  return rows[0] ? toPasskey(rows[0]) : null;
}

/**
 * Records a use, only if the stored counter is still the one the check was made against: of two
 * uses at once with the same counter, one wins (a cloned authenticator cannot ride along).
 */
export async function recordPasskeyUse(db: Queryable, passkey: Passkey, newCounter: number, backedUp: boolean, now: Date): Promise<boolean> {
  const rows = await db.query(
    'UPDATE passkey SET counter = $4, backed_up = $5, last_used_at = $6 WHERE tenant_id = $1 AND id = $2 AND counter = $3 RETURNING id',
    [passkey.tenantId, passkey.id, passkey.counter, newCounter, backedUp, now],
  );
  return rows.length > 0;
}

/** Removes one passkey of the account; false if it has no such passkey. */
export async function deletePasskey(db: Queryable, tenantId: string, accountId: string, id: string): Promise<Passkey | null> {
  const rows = await db.query<PasskeyRow>(`DELETE FROM passkey WHERE tenant_id = $1 AND account_id = $2 AND id = $3 RETURNING ${passkeyColumns}`, [tenantId, accountId, id]);
  return rows[0] ? toPasskey(rows[0]) : null;
}

/** Every passkey of the account (a staff 2FA reset); returns how many went. */
export async function deleteAccountPasskeys(db: Queryable, tenantId: string, accountId: string): Promise<number> {
  const rows = await db.query('DELETE FROM passkey WHERE tenant_id = $1 AND account_id = $2 RETURNING id', [tenantId, accountId]);
  return rows.length;
}

/** How many passkeys the account has, with its row locked until the caller's transaction ends (the limit holds under concurrent finishes). */
export async function countPasskeysLocked(tx: Queryable, tenantId: string, accountId: string): Promise<number> {
  await tx.query('SELECT id FROM account WHERE tenant_id = $1 AND id = $2 FOR UPDATE', [tenantId, accountId]);
  const rows = await tx.query<{ n: number }>('SELECT count(*)::int AS n FROM passkey WHERE tenant_id = $1 AND account_id = $2', [tenantId, accountId]);
  return rows[0]?.n ?? 0;
}

export async function countPasskeys(db: Queryable, tenantId: string, accountId: string): Promise<number> {
  const rows = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM passkey WHERE tenant_id = $1 AND account_id = $2', [tenantId, accountId]);
  return rows[0]?.n ?? 0;
}
