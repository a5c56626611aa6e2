/**
 * Each table has one module that writes it (README "Which module writes which table"): every
 * INSERT, UPDATE and DELETE in src/ on a table sits in that table's owner. A journey that must
 * change a table asks its owner, by a verb-first function; the rules about what to write (a
 * lockout, a code budget) may live elsewhere, the SQL does not.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { readMigrations, scanSources, tablesFromMigrations } from './sql-scan.js';

/** Owner of each table: a folder (ending in /) or one file. */
export const tableOwners: Record<string, string> = {
  organization: 'src/tenants/',
  brand_image: 'src/tenants/',
  organization_host: 'src/tenants/',
  account: 'src/accounts/',
  care_relation: 'src/accounts/',
  account_token: 'src/accounts/',
  web_session: 'src/sessions/',
  app_login_challenge: 'src/sessions/',
  second_factor: 'src/factors/second-factor/',
  recovery_code: 'src/factors/recovery-codes/',
  sms_code: 'src/factors/sms-code/',
  trusted_browser: 'src/factors/trusted-browser/',
  app_device: 'src/devices/',
  app_access_token: 'src/devices/',
  app_qr_token: 'src/devices/',
  audit_event: 'src/audit/',
  job: 'src/jobs/',
  rate_limit: 'src/core/rate-limit.ts',
  oidc_payload: 'src/oidc/',
  oidc_client: 'src/oidc/',
  oidc_signing_key: 'src/oidc/',
  oidc_login_link: 'src/oidc/',
  passkey: 'src/factors/passkey/',
  passkey_challenge: 'src/factors/passkey/',
  schema_migration: 'src/db/',
};

/** The tables a statement writes. */
export function writtenTables(sql: string): string[] {
  const found = new Set<string>();
  // `ON CONFLICT … DO UPDATE SET` and `FOR UPDATE [SKIP LOCKED]` name no table.
  const flat = sql.replace(/\s+/g, ' ');
  for (const match of flat.matchAll(/\b(?:INSERT INTO|(?<!\b(?:DO|FOR) )UPDATE|DELETE FROM|TRUNCATE(?: TABLE)?) ([a-z_][a-z0-9_]*)/gi)) found.add(match[1]!.toLowerCase());
  return [...found];
}

test('the write detector finds the table of every kind of write', () => {
  assert.deepEqual(writtenTables('INSERT INTO account (a) VALUES ($1)'), ['account']);
  assert.deepEqual(writtenTables('UPDATE web_session SET x = 1 WHERE tenant_id = $1'), ['web_session']);
  assert.deepEqual(writtenTables('delete from job where tenant_id = $1'), ['job']);
  assert.deepEqual(writtenTables('WITH x AS (SELECT 1) UPDATE app_device SET pin_failures = 0'), ['app_device']);
  assert.deepEqual(writtenTables("SELECT id FROM account WHERE state = 'active' FOR UPDATE"), []);
  assert.deepEqual(writtenTables('SELECT id FROM job ORDER BY seq FOR UPDATE\n   SKIP LOCKED'), []);
  assert.deepEqual(writtenTables('INSERT INTO rate_limit (k) VALUES ($1) ON CONFLICT (k) DO UPDATE SET count = 1'), ['rate_limit']);
});

test('every table of the migrations has one owner, and only that owner writes it', () => {
  const { all } = tablesFromMigrations(readMigrations());
  assert.deepEqual([...all, 'schema_migration'].filter((t) => !(t in tableOwners)), [], 'a new table needs an owner here and in the README');
  const misplaced: string[] = [];
  for (const statement of scanSources(['src/db/pglite.ts', 'src/db/postgres.ts']).statements) {
    for (const table of writtenTables(statement.sql)) {
      const owner = tableOwners[table];
      if (!owner) misplaced.push(`${statement.file}:${statement.line} writes ${table}, which has no owner`);
      else if (!(owner.endsWith('/') ? statement.file.startsWith(owner) : statement.file === owner)) {
        misplaced.push(`${statement.file}:${statement.line} writes ${table}, which ${owner} owns`);
      }
    }
  }
  assert.deepEqual(misplaced, []);
});

test('the README lists the same owners', () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const listed = new Map<string, string>();
  for (const match of readme.matchAll(/^\| `([a-z_]+)` \| `([^`]+)` \|/gm)) listed.set(match[1]!, match[2]!);
  assert.deepEqual(Object.fromEntries([...listed].sort()), Object.fromEntries(Object.entries(tableOwners).sort()));
});
