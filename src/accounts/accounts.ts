import type { Clock } from '../core/clock.js';
import type { RandomSource } from '../core/random.js';
import type { Queryable } from '../db/db.js';
import type { Locale } from '../tenants/organizations.js';
import { cleanEmail, emailSkeleton, normalizeEmail } from './email.js';
import type { CodeValidity } from '../factors/trusted-browser/store.js';
import type { Role } from './roles.js';

export type AccountState = 'invited' | 'active' | 'deactivated';

export interface Account {
  tenantId: string;
  id: string;
  email: string;
  name: string;
  role: Role;
  state: AccountState;
  locale: Locale | null;
  passwordHash: string | null;
  passwordChangedAt: Date | null;
  failedLoginCount: number;
  lastFailedLoginAt: Date | null;
  /** How long a verified code stays valid on a browser (SPEC 4.6). */
  codeValidity: CodeValidity;
  /** Made through the registration form: until a password is set, its address is unconfirmed (SECURITY 38). */
  selfRegistered: boolean;
  createdAt: Date;
}

interface AccountRow {
  tenant_id: string;
  id: string;
  email: string;
  name: string;
  role: Role;
  state: AccountState;
  locale: Locale | null;
  password_hash: string | null;
  password_changed_at: Date | null;
  failed_login_count: number;
  last_failed_login_at: Date | null;
  code_validity: CodeValidity;
  self_registered: boolean;
  created_at: Date;
}

const accountColumns = `tenant_id, id, email, name, role, state, locale, password_hash, password_changed_at,
  failed_login_count, last_failed_login_at, code_validity, self_registered, created_at`;

function toAccount(row: AccountRow): Account {
  return {
    tenantId: row.tenant_id,
    id: row.id,
    email: row.email,
    name: row.name,
    role: row.role,
    state: row.state,
    locale: row.locale,
    passwordHash: row.password_hash,
    passwordChangedAt: row.password_changed_at,
    failedLoginCount: row.failed_login_count,
    lastFailedLoginAt: row.last_failed_login_at,
    codeValidity: row.code_validity,
    selfRegistered: row.self_registered,
    createdAt: row.created_at,
  };
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isAccountId(value: string): boolean {
  return uuidPattern.test(value);
}

export async function findAccountById(db: Queryable, tenantId: string, id: string): Promise<Account | null> {
  if (!isAccountId(id)) return null;
  const rows = await db.query<AccountRow>(`SELECT ${accountColumns} FROM account WHERE tenant_id = $1 AND id = $2`, [tenantId, id]);
  return rows[0] ? toAccount(rows[0]) : null;
}

export async function findAccountByEmail(db: Queryable, tenantId: string, email: string): Promise<Account | null> {
  const rows = await db.query<AccountRow>(`SELECT ${accountColumns} FROM account WHERE tenant_id = $1 AND email_normalized = $2`, [
    tenantId,
    normalizeEmail(email),
  ]);
  return rows[0] ? toAccount(rows[0]) : null;
}

/**
 * The account whose address looks the same as this one (SECURITY 39): equal once normalized, or
 * with the same confusable skeleton. The exact one first.
 */
export async function findLookAlikeAccount(db: Queryable, tenantId: string, email: string): Promise<Account | null> {
  const rows = await db.query<AccountRow>(
    `SELECT ${accountColumns} FROM account WHERE tenant_id = $1 AND (email_normalized = $2 OR email_skeleton = $3)
      ORDER BY email_normalized = $2 DESC LIMIT 1`,
    [tenantId, normalizeEmail(email), emailSkeleton(email)],
  );
  return rows[0] ? toAccount(rows[0]) : null;
}

/**
 * Inserts an invited account, its address in clean form with its skeleton; null when the address,
 * or one that looks the same, already has an account in this org (both are unique per org).
 */
export async function insertInvitedAccount(
  db: Queryable,
  deps: { clock: Clock; random: RandomSource },
  input: { tenantId: string; email: string; name: string; role: Role; locale: Locale | null; createdBy: string | null; selfRegistered?: boolean },
): Promise<Account | null> {
  const rows = await db.query<AccountRow>(
    `INSERT INTO account (tenant_id, id, email, email_normalized, email_skeleton, name, role, state, locale, created_by, self_registered, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, 'invited', $8, $9, $10, $11)
     ON CONFLICT DO NOTHING
     RETURNING ${accountColumns}`,
    [
      input.tenantId,
      deps.random.uuid(),
      cleanEmail(input.email),
      normalizeEmail(input.email),
      emailSkeleton(input.email),
      input.name.trim(),
      input.role,
      input.locale,
      input.createdBy,
      input.selfRegistered ?? false,
      deps.clock.now(),
    ],
  );
  return rows[0] ? toAccount(rows[0]) : null;
}

/**
 * Staff take over an account that only self-registered and never set a password (SECURITY 39):
 * it becomes theirs, with the name, role and language they gave. Null if it is no longer such an
 * account (it set a password meanwhile).
 */
export async function takeOverSelfRegisteredAccount(
  db: Queryable,
  tenantId: string,
  accountId: string,
  input: { name: string; role: Role; locale: Locale | null; createdBy: string | null },
): Promise<Account | null> {
  const rows = await db.query<AccountRow>(
    `UPDATE account SET name = $3, role = $4, locale = $5, created_by = $6, self_registered = false
      WHERE tenant_id = $1 AND id = $2 AND self_registered AND state = 'invited' AND password_hash IS NULL
      RETURNING ${accountColumns}`,
    [tenantId, accountId, input.name.trim(), input.role, input.locale, input.createdBy],
  );
  return rows[0] ? toAccount(rows[0]) : null;
}

/**
 * Maintenance: gives accounts from before SECURITY 39 their skeleton, a batch per pass. Where an
 * older account of the org already has the same one, the row keeps none and is reported: two such
 * accounts are for an operator to look at, not for a machine to merge.
 */
export async function fillEmailSkeletons(db: Queryable, onlyTenantId: string | null, batch = 500): Promise<{ filled: number; lookAlikes: { tenantId: string; email: string; lookAlikeOf: string }[] }> {
  const rows = await db.query<{ tenant_id: string; id: string; email: string }>(
    `SELECT tenant_id, id, email FROM account WHERE email_skeleton IS NULL AND ($1::uuid IS NULL OR tenant_id = $1::uuid) ORDER BY created_at LIMIT $2`,
    [onlyTenantId, batch],
  );
  let filled = 0;
  const lookAlikes: { tenantId: string; email: string; lookAlikeOf: string }[] = [];
  for (const row of rows) {
    const skeleton = emailSkeleton(row.email);
    const taken = await db.query<{ email: string }>('SELECT email FROM account WHERE tenant_id = $1 AND email_skeleton = $2', [row.tenant_id, skeleton]);
    if (taken[0]) {
      // Marked with an impossible skeleton, so the next pass does not look at it again.
      await db.query("UPDATE account SET email_skeleton = '!' || id::text WHERE tenant_id = $1 AND id = $2", [row.tenant_id, row.id]);
      lookAlikes.push({ tenantId: row.tenant_id, email: row.email, lookAlikeOf: taken[0].email });
      continue;
    }
    await db.query('UPDATE account SET email_skeleton = $3 WHERE tenant_id = $1 AND id = $2 AND email_skeleton IS NULL', [row.tenant_id, row.id, skeleton]);
    filled += 1;
  }
  return { filled, lookAlikes };
}

export async function addCareRelation(db: Queryable, tenantId: string, professionalId: string, clientId: string, at: Date): Promise<void> {
  await db.query(
    `INSERT INTO care_relation (tenant_id, professional_id, client_id, created_at) VALUES ($1, $2, $3, $4)
     ON CONFLICT DO NOTHING`,
    [tenantId, professionalId, clientId, at],
  );
}

export async function isClientOf(db: Queryable, tenantId: string, professionalId: string, clientId: string): Promise<boolean> {
  const rows = await db.query('SELECT 1 FROM care_relation WHERE tenant_id = $1 AND professional_id = $2 AND client_id = $3', [
    tenantId,
    professionalId,
    clientId,
  ]);
  return rows.length > 0;
}

/** Sets a new password; an invited account becomes active. Clears any login lock. */
export async function setAccountPassword(db: Queryable, tenantId: string, accountId: string, passwordHash: string, at: Date): Promise<void> {
  await db.query(
    `UPDATE account SET password_hash = $3, password_changed_at = $4, failed_login_count = 0, last_failed_login_at = NULL,
            state = CASE WHEN state = 'invited' THEN 'active' ELSE state END
      WHERE tenant_id = $1 AND id = $2`,
    [tenantId, accountId, passwordHash, at],
  );
}

export async function setAccountState(db: Queryable, tenantId: string, accountId: string, from: AccountState, to: AccountState): Promise<boolean> {
  const rows = await db.query('UPDATE account SET state = $4 WHERE tenant_id = $1 AND id = $2 AND state = $3 RETURNING id', [tenantId, accountId, from, to]);
  return rows.length > 0;
}

/** How long a verified code stays valid on a browser (SPEC 4.6): the account's own choice. */
export async function setCodeValidity(db: Queryable, tenantId: string, accountId: string, validity: CodeValidity): Promise<void> {
  await db.query('UPDATE account SET code_validity = $3 WHERE tenant_id = $1 AND id = $2', [tenantId, accountId, validity]);
}

export async function updateProfile(db: Queryable, tenantId: string, accountId: string, profile: { name: string; locale: Locale | null }): Promise<void> {
  await db.query('UPDATE account SET name = $3, locale = $4 WHERE tenant_id = $1 AND id = $2', [tenantId, accountId, profile.name.trim(), profile.locale]);
}

export interface AccountSearch {
  tenantId: string;
  query: string;
  /** Only accounts with these roles. */
  roles: Role[];
  /** Only this professional's clients. */
  clientsOf?: string;
  limit: number;
}

export async function searchAccounts(db: Queryable, search: AccountSearch): Promise<Account[]> {
  const pattern = `%${search.query.trim().normalize('NFC').toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  const params: (string | number | readonly string[])[] = [search.tenantId, pattern, search.roles, search.limit];
  let relation = '';
  if (search.clientsOf) {
    params.push(search.clientsOf);
    relation = 'AND EXISTS (SELECT 1 FROM care_relation c WHERE c.tenant_id = a.tenant_id AND c.client_id = a.id AND c.professional_id = $5)';
  }
  const rows = await db.query<AccountRow>(
    `SELECT ${accountColumns.replace(/(\w+)/g, 'a.$1')} FROM account a
      WHERE a.tenant_id = $1 AND a.role = ANY($3::text[])
        AND (a.email_normalized LIKE $2 OR lower(a.name) LIKE $2) ${relation}
      ORDER BY lower(a.name), a.email_normalized LIMIT $4`,
    params,
  );
  return rows.map(toAccount);
}
