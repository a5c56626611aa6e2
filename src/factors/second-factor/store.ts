import type { Clock } from '../../core/clock.js';
import type { RandomSource } from '../../core/random.js';
import type { Role } from '../../accounts/roles.js';
import type { Queryable } from '../../db/db.js';
import type { Policy } from '../../tenants/policy.js';
import { isUnsealedPhone, openPhone, sealPhone } from '../sms-code/phone.js';

export type SecondFactorMethod = 'totp' | 'sms';

export interface SecondFactor {
  tenantId: string;
  id: string;
  accountId: string;
  method: SecondFactorMethod;
  status: 'pending' | 'active';
  totpSecretSealed: string | null;
  /** The SMS number, sealed (SECURITY 45): `factorPhone` opens it. */
  phoneSealed: string | null;
  setupSessionId: string | null;
  createdAt: Date;
}

interface Row {
  tenant_id: string;
  id: string;
  account_id: string;
  method: SecondFactorMethod;
  status: 'pending' | 'active';
  totp_secret_sealed: string | null;
  phone_sealed: string | null;
  setup_session_id: string | null;
  created_at: Date;
}

const columns = 'tenant_id, id, account_id, method, status, totp_secret_sealed, phone_sealed, setup_session_id, created_at';

const toFactor = (row: Row): SecondFactor => ({
  tenantId: row.tenant_id,
  id: row.id,
  accountId: row.account_id,
  method: row.method,
  status: row.status,
  totpSecretSealed: row.totp_secret_sealed,
  phoneSealed: row.phone_sealed,
  setupSessionId: row.setup_session_id,
  createdAt: row.created_at,
});

export async function findActiveFactor(db: Queryable, tenantId: string, accountId: string): Promise<SecondFactor | null> {
  const rows = await db.query<Row>(`SELECT ${columns} FROM second_factor WHERE tenant_id = $1 AND account_id = $2 AND status = 'active'`, [tenantId, accountId]);
  return rows[0] ? toFactor(rows[0]) : null;
}

/** The factor this session is setting up, if any. */
export async function findPendingFactor(db: Queryable, tenantId: string, accountId: string, sessionId: string): Promise<SecondFactor | null> {
  const rows = await db.query<Row>(
    `SELECT ${columns} FROM second_factor WHERE tenant_id = $1 AND account_id = $2 AND status = 'pending' AND setup_session_id = $3
      ORDER BY created_at DESC LIMIT 1`,
    [tenantId, accountId, sessionId],
  );
  return rows[0] ? toFactor(rows[0]) : null;
}

/** Starts a setup: replaces any earlier unfinished one of this account. */
export async function insertPendingFactor(
  db: Queryable,
  deps: { clock: Clock; random: RandomSource },
  input: { tenantId: string; accountId: string; sessionId: string; method: SecondFactorMethod; totpSecretSealed?: string; phoneSealed?: string },
): Promise<SecondFactor> {
  await db.query(`DELETE FROM second_factor WHERE tenant_id = $1 AND account_id = $2 AND status = 'pending'`, [input.tenantId, input.accountId]);
  const rows = await db.query<Row>(
    `INSERT INTO second_factor (tenant_id, id, account_id, method, status, totp_secret_sealed, phone_sealed, setup_session_id, created_at)
     VALUES ($1, $2, $3, $4, 'pending', $5, $6, $7, $8) RETURNING ${columns}`,
    [input.tenantId, deps.random.uuid(), input.accountId, input.method, input.totpSecretSealed ?? null, input.phoneSealed ?? null, input.sessionId, deps.clock.now()],
  );
  return toFactor(rows[0]!);
}

/** Thrown inside a transaction to roll it back when the pending factor is gone (a double submit). */
export class PendingFactorGoneError extends Error {
  constructor() {
    super('the pending second factor is gone');
    this.name = 'PendingFactorGoneError';
  }
}

/**
 * Makes a confirmed pending factor the account's one active factor. The pending row is locked
 * first and must still be pending; only then does the old active factor go. A second confirm of
 * the same setup (double submit, another tab) throws, so its transaction changes nothing.
 */
/** Makes a confirmed factor the account's one; `replaced` tells whether it took the place of another. */
export async function activateFactor(db: Queryable, factor: SecondFactor, now: Date, confirmedStep: bigint | null): Promise<{ replaced: boolean }> {
  const pending = await db.query(`SELECT id FROM second_factor WHERE tenant_id = $1 AND id = $2 AND status = 'pending' FOR UPDATE`, [factor.tenantId, factor.id]);
  if (pending.length !== 1) throw new PendingFactorGoneError();
  const replaced = await db.query(`DELETE FROM second_factor WHERE tenant_id = $1 AND account_id = $2 AND status = 'active' AND id <> $3 RETURNING id`, [
    factor.tenantId,
    factor.accountId,
    factor.id,
  ]);
  await db.query(
    `UPDATE second_factor SET status = 'active', confirmed_at = $3, setup_session_id = NULL, last_totp_step = $4
      WHERE tenant_id = $1 AND id = $2`,
    [factor.tenantId, factor.id, now, confirmedStep === null ? null : confirmedStep.toString()],
  );
  return { replaced: replaced.length > 0 };
}

export async function deleteFactors(db: Queryable, tenantId: string, accountId: string): Promise<number> {
  const rows = await db.query('DELETE FROM second_factor WHERE tenant_id = $1 AND account_id = $2 RETURNING id', [tenantId, accountId]);
  return rows.length;
}

/**
 * RFC 6238 §5.2: a time step is accepted once per account, and never one older than the newest
 * accepted. Compare-and-set, so two requests with the same code cannot both pass.
 */
export async function claimTotpStep(db: Queryable, factor: SecondFactor, step: bigint): Promise<boolean> {
  const rows = await db.query(
    `UPDATE second_factor SET last_totp_step = $3
      WHERE tenant_id = $1 AND id = $2 AND (last_totp_step IS NULL OR last_totp_step < $3) RETURNING id`,
    [factor.tenantId, factor.id, step.toString()],
  );
  return rows.length === 1;
}

/** The SMS number of a factor, opened (it is sealed at rest, SECURITY 45). */
export function factorPhone(secretKey: Buffer, factor: SecondFactor): string {
  if (!factor.phoneSealed) throw new Error('this factor has no phone number');
  return openPhone(secretKey, factor, factor.phoneSealed);
}

/**
 * Seals the numbers stored before numbers were sealed (maintenance, in every organization). Each
 * is rewritten only if it is still the plain one it read, so a change meanwhile is never undone.
 */
export async function sealUnsealedPhones(db: Queryable, secretKey: Buffer, onlyTenantId: string | null = null): Promise<number> {
  const rows = await db.query<{ tenant_id: string; id: string; account_id: string; phone_sealed: string }>(
    "SELECT tenant_id, id, account_id, phone_sealed FROM second_factor WHERE phone_sealed LIKE '+%' AND ($1::uuid IS NULL OR tenant_id = $1::uuid) LIMIT 1000",
    [onlyTenantId],
  );
  let sealed = 0;
  for (const row of rows) {
    if (!isUnsealedPhone(row.phone_sealed)) continue;
    const value = sealPhone(secretKey, { tenantId: row.tenant_id, accountId: row.account_id }, row.phone_sealed);
    const done = await db.query('UPDATE second_factor SET phone_sealed = $4 WHERE tenant_id = $1 AND id = $2 AND phone_sealed = $3 RETURNING id', [row.tenant_id, row.id, row.phone_sealed, value]);
    sealed += done.length;
  }
  return sealed;
}
