import type { Account } from '../accounts/accounts.js';
import { findAccountById, isAccountId } from '../accounts/accounts.js';
import { addSeconds } from '../core/clock.js';
import { issueToken, parseToken, secretMatches } from '../core/token.js';
import type { Queryable } from '../db/db.js';
import type { Deps } from '../deps.js';
import { hashPassword, verifyPassword } from '../factors/password/hashing.js';

/** SPEC 5: a PIN of exactly 5 digits; one digit repeated and straight runs are too weak. */
export function checkPinShape(pin: string): 'invalid_pin_format' | 'weak_pin' | null {
  if (!/^\d{5}$/.test(pin)) return 'invalid_pin_format';
  const digits = [...pin].map(Number);
  const steps = digits.slice(1).map((d, i) => d - digits[i]!);
  if (steps.every((s) => s === 0) || steps.every((s) => s === 1) || steps.every((s) => s === -1)) return 'weak_pin';
  return null;
}

export const accessTokenSeconds = 15 * 60;
export const pinTries = 5;

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

export type DeviceLookup = { kind: 'ok'; device: AppDevice; pinHash: string | null } | { kind: 'removed'; device: AppDevice } | { kind: 'invalid' };

/** The device that an id and secret name, compared in constant time. */
export async function findDevice(db: Queryable, tenantId: string, deviceId: string, deviceSecret: string): Promise<DeviceLookup> {
  const parsed = parseToken(deviceSecret);
  if (!parsed || !isAccountId(deviceId)) return { kind: 'invalid' };
  const [row] = await db.query<DeviceRow>(
    'SELECT tenant_id, id, account_id, name, secret_hash, pin_hash, created_at, last_used_at, removed_at FROM app_device WHERE tenant_id = $1 AND id = $2',
    [tenantId, deviceId],
  );
  if (!row || !secretMatches(parsed.secret, row.secret_hash)) return { kind: 'invalid' };
  return row.removed_at ? { kind: 'removed', device: toDevice(row) } : { kind: 'ok', device: toDevice(row), pinHash: row.pin_hash };
}

/** Sets the first PIN; compare-and-set so a second concurrent set loses (409). */
export async function setDevicePin(db: Queryable, device: AppDevice, pin: string): Promise<boolean> {
  const hash = await hashPassword(pin);
  const rows = await db.query('UPDATE app_device SET pin_hash = $3 WHERE tenant_id = $1 AND id = $2 AND pin_hash IS NULL AND removed_at IS NULL RETURNING id', [
    device.tenantId,
    device.id,
    hash,
  ]);
  return rows.length === 1;
}

/** `removedNow`: this very check removed the device (so exactly one audit row says so). */
export type PinCheck = { ok: true } | { ok: false; error: 'invalid_pin'; attemptsLeft: number } | { ok: false; error: 'device_revoked'; removedNow: boolean };

/**
 * Checks a PIN (SPEC 5, SECURITY 8): a try is counted BEFORE the PIN is compared, atomically, so
 * parallel guesses never get more than 5 comparisons; the fifth wrong one removes the device. The
 * count lives in the database, so a restart forgets nothing. A right PIN resets the count.
 */
export async function checkDevicePin(deps: Pick<Deps, 'db' | 'clock'>, device: AppDevice, pinHash: string, pin: string): Promise<PinCheck> {
  const [reserved] = await deps.db.query<{ pin_failures: number }>(
    'UPDATE app_device SET pin_failures = pin_failures + 1 WHERE tenant_id = $1 AND id = $2 AND removed_at IS NULL AND pin_failures < $3 RETURNING pin_failures',
    [device.tenantId, device.id, pinTries],
  );
  if (!reserved) {
    // Tries used up but the device not yet removed (a crash in between): remove it now.
    const removedNow = await removeDevice(deps.db, device.tenantId, device.id, 'pin_failures', deps.clock.now());
    return { ok: false, error: 'device_revoked', removedNow };
  }
  if (/^\d{5}$/.test(pin) && (await verifyPassword(pinHash, pin))) {
    await deps.db.query('UPDATE app_device SET pin_failures = 0, last_used_at = $3 WHERE tenant_id = $1 AND id = $2', [device.tenantId, device.id, deps.clock.now()]);
    return { ok: true };
  }
  if (reserved.pin_failures >= pinTries) {
    const removedNow = await removeDevice(deps.db, device.tenantId, device.id, 'pin_failures', deps.clock.now());
    return { ok: false, error: 'device_revoked', removedNow };
  }
  return { ok: false, error: 'invalid_pin', attemptsLeft: pinTries - reserved.pin_failures };
}

/** Removes a device and ends its access tokens at once. */
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

/**
 * Every device of an account (password reset, deactivation, staff 2FA reset), and every app login
 * still under way: a QR code on screen or a challenge waiting for its code can no longer link one.
 */
export async function removeAccountDevices(db: Queryable, tenantId: string, accountId: string, reason: string, now: Date): Promise<number> {
  const rows = await db.query<{ id: string }>('SELECT id FROM app_device WHERE tenant_id = $1 AND account_id = $2 AND removed_at IS NULL', [tenantId, accountId]);
  for (const row of rows) await removeDevice(db, tenantId, row.id, reason, now);
  await db.query('UPDATE app_qr_token SET expires_at = $3 WHERE tenant_id = $1 AND account_id = $2 AND used_at IS NULL AND expires_at > $3', [tenantId, accountId, now]);
  await db.query('UPDATE app_login_challenge SET expires_at = $3 WHERE tenant_id = $1 AND account_id = $2 AND completed_at IS NULL AND expires_at > $3', [tenantId, accountId, now]);
  return rows.length;
}

export async function listDevices(db: Queryable, tenantId: string, accountId: string): Promise<AppDevice[]> {
  const rows = await db.query<DeviceRow>(
    `SELECT tenant_id, id, account_id, name, secret_hash, pin_hash, created_at, last_used_at, removed_at FROM app_device
      WHERE tenant_id = $1 AND account_id = $2 AND removed_at IS NULL ORDER BY created_at DESC`,
    [tenantId, accountId],
  );
  return rows.map(toDevice);
}

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

/** The account behind a bearer token: unexpired, not revoked, its device present, the account active. */
export async function findAccessToken(db: Queryable, tenantId: string, bearer: string, now: Date): Promise<{ tokenId: string; account: Account } | null> {
  const parsed = parseToken(bearer);
  if (!parsed) return null;
  const [row] = await db.query<{ id: string; account_id: string; secret_hash: Uint8Array }>(
    `SELECT t.id, t.account_id, t.secret_hash FROM app_access_token t
       JOIN app_device d ON d.tenant_id = t.tenant_id AND d.id = t.device_id
      WHERE t.tenant_id = $1 AND t.id = $2 AND t.revoked_at IS NULL AND t.expires_at > $3 AND d.removed_at IS NULL`,
    [tenantId, parsed.id, now],
  );
  if (!row || !secretMatches(parsed.secret, row.secret_hash)) return null;
  const account = await findAccountById(db, tenantId, row.account_id);
  return account && account.state === 'active' ? { tokenId: row.id, account } : null;
}

export async function revokeAccessToken(db: Queryable, tenantId: string, tokenId: string, now: Date): Promise<void> {
  await db.query('UPDATE app_access_token SET revoked_at = $3 WHERE tenant_id = $1 AND id = $2 AND revoked_at IS NULL', [tenantId, tokenId, now]);
}
