import type { Account } from '../accounts/accounts.js';
import { isAccountId } from '../accounts/accounts.js';
import type { Failure, Ok } from '../core/outcome.js';
import { issueToken, parseToken, secretMatches } from '../core/token.js';
import type { Queryable } from '../db/db.js';
import type { Deps } from '../deps.js';

/** An app installation linked to one account (SPEC 5). Its secret and PIN are stored as hashes. */
export interface AppDevice {
  tenantId: string;
  id: string;
  accountId: string;
  name: string;
  pinSet: boolean;
  createdAt: Date;
  lastUsedAt: Date;
  removedAt: Date | null;
}

interface DeviceRow {
  tenant_id: string;
  id: string;
  account_id: string;
  name: string;
  secret_hash: Uint8Array;
  pin_hash: string | null;
  created_at: Date;
  last_used_at: Date;
  removed_at: Date | null;
}

const deviceColumns = 'tenant_id, id, account_id, name, secret_hash, pin_hash, created_at, last_used_at, removed_at';

const toDevice = (r: DeviceRow): AppDevice => ({
  tenantId: r.tenant_id,
  id: r.id,
  accountId: r.account_id,
  name: r.name,
  pinSet: r.pin_hash !== null,
  createdAt: r.created_at,
  lastUsedAt: r.last_used_at,
  removedAt: r.removed_at,
});

/** A new device; its secret (256 bits) is returned once and stored as a hash (SPEC 5). */
export async function createDevice(db: Queryable, deps: Pick<Deps, 'clock' | 'random'>, account: Account, name: string): Promise<{ deviceId: string; deviceSecret: string }> {
  const id = deps.random.uuid();
  const secret = issueToken(deps.random);
  const now = deps.clock.now();
  await db.query(
    'INSERT INTO app_device (tenant_id, id, account_id, name, secret_hash, created_at, last_used_at) VALUES ($1, $2, $3, $4, $5, $6, $6)',
    [account.tenantId, id, account.id, name.trim().slice(0, 100) || 'App', secret.secretHash, now],
  );
  return { deviceId: id, deviceSecret: secret.token };
}

export type DeviceLookup = Ok<{ device: AppDevice; pinHash: string | null }> | Failure<'removed', { device: AppDevice }> | Failure<'invalid'>;

/** The device that an id and secret name, compared in constant time. */
export async function findDevice(db: Queryable, tenantId: string, deviceId: string, deviceSecret: string): Promise<DeviceLookup> {
  const parsed = parseToken(deviceSecret);
  if (!parsed || !isAccountId(deviceId)) return { ok: false, error: 'invalid' };
  const [row] = await db.query<DeviceRow>(`SELECT ${deviceColumns} FROM app_device WHERE tenant_id = $1 AND id = $2`, [tenantId, deviceId]);
  if (!row || !secretMatches(parsed.secret, row.secret_hash)) return { ok: false, error: 'invalid' };
  return row.removed_at ? { ok: false, error: 'removed', device: toDevice(row) } : { ok: true, device: toDevice(row), pinHash: row.pin_hash };
}

/** Sets the first PIN hash; compare-and-set so a second concurrent set loses. */
export async function setFirstPinHash(db: Queryable, device: AppDevice, pinHash: string): Promise<boolean> {
  const rows = await db.query('UPDATE app_device SET pin_hash = $3 WHERE tenant_id = $1 AND id = $2 AND pin_hash IS NULL AND removed_at IS NULL RETURNING id', [
    device.tenantId,
    device.id,
    pinHash,
  ]);
  return rows.length === 1;
}

/** Counts one PIN try if the device has any left: the count after it, or null when none were left (or it is removed). */
export async function reservePinTry(db: Queryable, device: AppDevice, tries: number): Promise<number | null> {
  const [row] = await db.query<{ pin_failures: number }>(
    'UPDATE app_device SET pin_failures = pin_failures + 1 WHERE tenant_id = $1 AND id = $2 AND removed_at IS NULL AND pin_failures < $3 RETURNING pin_failures',
    [device.tenantId, device.id, tries],
  );
  return row ? row.pin_failures : null;
}

/** A right PIN: the count starts anew and the device was used now. */
export async function recordRightPin(db: Queryable, device: AppDevice, now: Date): Promise<void> {
  await db.query('UPDATE app_device SET pin_failures = 0, last_used_at = $3 WHERE tenant_id = $1 AND id = $2', [device.tenantId, device.id, now]);
}

/** Removes a device and ends its access tokens at once; true when this call removed it. */
export async function removeDevice(db: Queryable, tenantId: string, deviceId: string, reason: string, now: Date): Promise<boolean> {
  const rows = await db.query('UPDATE app_device SET removed_at = $3, removed_reason = $4 WHERE tenant_id = $1 AND id = $2 AND removed_at IS NULL RETURNING id', [
    tenantId,
    deviceId,
    now,
    reason,
  ]);
  await db.query('UPDATE app_access_token SET revoked_at = $3 WHERE tenant_id = $1 AND device_id = $2 AND revoked_at IS NULL', [tenantId, deviceId, now]);
  return rows.length === 1;
}

/** Every device of an account, and its tokens; returns how many were removed. */
export async function removeAccountDevices(db: Queryable, tenantId: string, accountId: string, reason: string, now: Date): Promise<number> {
  const rows = await db.query<{ id: string }>('SELECT id FROM app_device WHERE tenant_id = $1 AND account_id = $2 AND removed_at IS NULL', [tenantId, accountId]);
  for (const row of rows) await removeDevice(db, tenantId, row.id, reason, now);
  return rows.length;
}

export async function listDevices(db: Queryable, tenantId: string, accountId: string): Promise<AppDevice[]> {
  const rows = await db.query<DeviceRow>(
    `SELECT ${deviceColumns} FROM app_device WHERE tenant_id = $1 AND account_id = $2 AND removed_at IS NULL ORDER BY created_at DESC`,
    [tenantId, accountId],
  );
  return rows.map(toDevice);
}
