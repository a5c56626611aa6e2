/**
 * SECURITY 25 and SPEC 9 (Citus): every table carries tenant_id, every query filters on it, and
 * SQL never has a value pasted into it. This reads the SQL in src/ the way a reviewer would, so a
 * new query (or a new table) that forgets the tenant fails here:
 *
 * - The tenant tables are every table the migrations give a tenant_id column; a new table is
 *   covered without touching this file.
 * - The SQL is every string or template literal in src/ that reads as SQL, plus whatever a
 *   `.query()` call is handed (a const, a ternary of literals, an entry of a const object). A
 *   `${const}` holding SQL is spliced in, so composed statements are judged whole. A `.query()`
 *   whose SQL cannot be traced back to literals, or SQL built with `+`, fails the scan.
 * - Each statement is cut into scopes (the statement and every parenthesized sub-SELECT). In each
 *   scope, every tenant table it reads (FROM, JOIN, UPDATE, DELETE FROM, USING) must be pinned to a
 *   tenant by a top-level AND term of its WHERE or JOIN ... ON: `t.tenant_id = $n`,
 *   `= ANY($n)`, `= (sub-select)`, `(tenant_id, id) = (...)` / `IN (sub-select)`, `JOIN ...
 *   USING (tenant_id, ...)`, or `t.tenant_id = u.tenant_id` where u is pinned itself or belongs
 *   to an enclosing query (which is checked on its own). tenant_id in the SELECT list, in SET,
 *   inside an OR, or in a comment does not count. An INSERT must name tenant_id among its
 *   columns and in its ON CONFLICT target.
 *
 * The deliberate exceptions are listed, each with its reason, and each must still excuse
 * something, so the list cannot rot.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyzeTenancy, oneLine, readMigrations, scanSources, tablesFromMigrations, type Scan } from './sql-scan.js';

/** Tables that must be found by the migration scan; guards against the derivation going empty. */
const knownTenantTables = [
  'organization',
  'organization_host',
  'account',
  'care_relation',
  'account_token',
  'web_session',
  'rate_limit',
  'job',
  'audit_event',
  'second_factor',
  'sms_code',
  'recovery_code',
  'trusted_browser',
  'app_device',
  'app_access_token',
  'app_qr_token',
  'app_login_challenge',
];

/**
 * Statements that read a tenant table without pinning the tenant, on purpose. Keyed by a snippet
 * of the statement (whitespace collapsed) and the table it excuses; nothing else in that
 * statement is excused.
 */
const crossTenantByDesign: { snippet: string; table: string; reason: string }[] = [
  {
    snippet: 'SELECT tenant_id, id FROM job WHERE done_at IS NULL AND failed_at IS NULL AND run_at <= $1',
    table: 'job',
    reason: 'the job worker reads due work of every organization, without a lock (one shared queue; $3 only narrows it for tests); each job is then claimed pinned to its organization',
  },
  { snippet: 'AS pending, count(*) FILTER', table: 'job', reason: 'the /metrics gauge counts the whole queue' },
  { snippet: 'DELETE FROM web_session WHERE ((account_id IS NULL', table: 'web_session', reason: 'maintenance purge of dead sessions in every organization' },
  { snippet: 'DELETE FROM rate_limit WHERE window_start <', table: 'rate_limit', reason: 'maintenance purge of ended rate-limit windows in every organization' },
  { snippet: 'DELETE FROM rate_limit WHERE starts_with(key', table: 'rate_limit', reason: 'maintenance: one audit row per throttled burst (SECURITY 37), in every organization' },
  { snippet: 'SELECT tenant_id, id, email FROM account WHERE email_skeleton IS NULL', table: 'account', reason: 'maintenance: gives accounts from before SECURITY 39 their skeleton, in every organization' },
  { snippet: 'DELETE FROM sms_code WHERE created_at <', table: 'sms_code', reason: 'maintenance purge of long-expired SMS codes in every organization' },
  { snippet: 'DELETE FROM oidc_payload WHERE expires_at <', table: 'oidc_payload', reason: 'maintenance purge of expired OpenID provider state in every organization' },
  { snippet: 'DELETE FROM passkey_challenge WHERE expires_at <', table: 'passkey_challenge', reason: 'maintenance purge of passkey challenges nobody answered, in every organization' },
  { snippet: 'SELECT DISTINCT tenant_id FROM oidc_login_link', table: 'oidc_login_link', reason: 'maintenance: the organizations whose browser logins reached an application, to find those ended by a time limit' },
  { snippet: 'DELETE FROM job WHERE done_at IS NOT NULL', table: 'job', reason: 'maintenance purge of delivered jobs in every organization' },
  { snippet: "SELECT tenant_id, id, account_id, phone_sealed FROM second_factor WHERE phone_sealed LIKE", table: 'second_factor', reason: 'maintenance: seals phone numbers stored before they were sealed, in every organization' },
  {
    snippet: 'WHERE o.tenant_id = (SELECT tenant_id FROM organization_host WHERE hostname = $1)',
    table: 'organization_host',
    reason: 'the Host header is how a request finds its organization; nothing else is known yet (reference table)',
  },
  {
    snippet: 'SELECT 1 FROM organization_host WHERE hostname = $1',
    table: 'organization_host',
    reason: 'org:create checks a new host name is not any organization’s already (reference table)',
  },
  {
    snippet: 'WHERE o.slug = $1',
    table: 'organization',
    reason: 'slug lookup: the <slug>.BASE_DOMAIN host fallback, the operator CLI, the uniqueness check (reference table)',
  },
  { snippet: 'FROM organization o ORDER BY o.slug', table: 'organization', reason: 'org:list lists every organization for the operator (reference table)' },
  { snippet: 'SELECT count(*)::int AS n FROM organization', table: 'organization', reason: 'start-up asks whether any organization exists before seeding the demo one' },
];

/** Files whose `.query()` passes on SQL it was given: the two database drivers. */
const queryPassThrough: Record<string, string> = {
  'src/db/pglite.ts': 'the PGlite driver forwards the SQL its callers wrote',
  'src/db/postgres.ts': 'the pg driver forwards the SQL its callers wrote',
};

/** Interpolations that insert SQL text written in this codebase, never a value. */
const allowedInterpolations = new Set([
  '${accountColumns}',
  '${sessionColumns}',
  '${deviceColumns}',
  '${clientColumns}',
  '${linkColumns}',
  '${passkeyColumns}',
  '${columns}',
  '${selectOrganization}',
  '${relation}',
  "${accountColumns.replace(/(\\w+)/g, 'a.$1')}",
]);

let scanned: Scan | undefined;
/** src/ is scanned once, for the three tests that read it. */
const scanOfSrc = (): Scan => (scanned ??= scanSources(Object.keys(queryPassThrough)));

test('the tenant tables are derived from the migrations, and every table has tenant_id', () => {
  const { all, tenant } = tablesFromMigrations(readMigrations());
  for (const table of knownTenantTables) assert.ok(tenant.includes(table), `${table} should be found as a tenant table in migrations/ (found: ${tenant.join(', ')})`);
  assert.deepEqual(
    all.filter((table) => !tenant.includes(table)),
    [],
    'SPEC 9: every table in migrations/ carries tenant_id',
  );
  const derived = tablesFromMigrations([
    { name: '1.sql', sql: '-- tenant_id in a comment\nCREATE TABLE a (id int, note text);\nCREATE TABLE b (\n  tenant_id uuid NOT NULL,\n  id int\n);' },
    { name: '2.sql', sql: 'ALTER TABLE a ADD COLUMN tenant_id uuid;\nCREATE TABLE IF NOT EXISTS c (id int, PRIMARY KEY (tenant_id, id));' },
  ]);
  assert.deepEqual(derived, { all: ['a', 'b', 'c'], tenant: ['a', 'b'] }, 'a column named tenant_id (created or added later) makes a tenant table; a key or comment does not');
});

test('the analyzer flags statements that do not pin the tenant, and passes those that do', () => {
  const tables = new Set(knownTenantTables);
  const flagged = (sql: string) => analyzeTenancy(sql, tables).problems.map((p) => p.table);
  const bad: [string, string[]][] = [
    ['SELECT id FROM account WHERE email_normalized = $1', ['account']],
    ['SELECT tenant_id, id FROM account WHERE id = $1', ['account']],
    ['UPDATE web_session SET tenant_id = $1 WHERE id = $2', ['web_session']],
    ['DELETE FROM sms_code WHERE account_id = $1 RETURNING tenant_id', ['sms_code']],
    ['SELECT id FROM account WHERE id = $1 OR tenant_id = $2', ['account']],
    ['SELECT id FROM account WHERE ($2::uuid IS NULL OR tenant_id = $2::uuid) AND id = $1', ['account']],
    ['SELECT id FROM account WHERE id = $1 -- AND tenant_id = $2', ['account']],
    ["SELECT id FROM account WHERE note = 'tenant_id = $2' AND id = $1", ['account']],
    ['SELECT id FROM trusted_browser WHERE tenant_id IS NOT NULL AND id = $1', ['trusted_browser']],
    ['SELECT t.id FROM app_access_token t JOIN app_device d ON d.id = t.device_id WHERE t.tenant_id = $1', ['app_device']],
    ['SELECT t.id FROM app_access_token t JOIN app_device d ON d.tenant_id = t.tenant_id WHERE t.id = $1', ['app_access_token', 'app_device']],
    ['SELECT a.id FROM account a, care_relation c WHERE a.tenant_id = $1 AND c.client_id = a.id', ['care_relation']],
    ['SELECT id FROM account WHERE tenant_id = $1 AND id IN (SELECT account_id FROM web_session WHERE id = $2)', ['web_session']],
    ['UPDATE sms_code SET used_at = $3 WHERE (tenant_id, id) = (SELECT tenant_id, id FROM sms_code WHERE id = $2)', ['sms_code']],
    ['SELECT count(*) FILTER (WHERE tenant_id = $1) FROM job', ['job']],
    ['INSERT INTO recovery_code (id, account_id, code_hash) VALUES ($1, $2, $3)', ['recovery_code']],
    ['INSERT INTO audit_event VALUES ($1, $2)', ['audit_event']],
    ['INSERT INTO rate_limit (tenant_id, key) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING', ['rate_limit']],
    ['INSERT INTO job (tenant_id, id) SELECT tenant_id, id FROM app_device WHERE id = $1', ['app_device']],
    ['SELECT id FROM account WHERE tenant_id = $1 UNION SELECT id FROM app_device WHERE id = $2', ['app_device']],
    ['TRUNCATE account', ['account']],
  ];
  for (const [sql, expected] of bad) assert.deepEqual(flagged(sql), expected, `should flag exactly ${expected.join(', ')} in: ${sql}`);

  const good = [
    'SELECT id FROM account WHERE tenant_id = $1 AND id = $2',
    'SELECT a.id FROM account a WHERE a.tenant_id = $1::uuid AND a.role = ANY($2::text[])',
    'UPDATE job SET done_at = $3 WHERE tenant_id = ANY($1::uuid[]) AND id = $2',
    'DELETE FROM web_session WHERE (tenant_id, id) = ($1, $2)',
    'UPDATE sms_code SET attempts = attempts + 1 WHERE (tenant_id, id) IN (SELECT tenant_id, id FROM sms_code WHERE tenant_id = $1 AND id = $2 FOR UPDATE)',
    'SELECT t.id FROM app_access_token t JOIN app_device d ON d.tenant_id = t.tenant_id AND d.id = t.device_id WHERE t.tenant_id = $1',
    'SELECT t.id FROM app_access_token t JOIN app_device d USING (tenant_id) WHERE t.tenant_id = $1 AND (d.removed_at IS NULL OR d.id = $2)',
    'SELECT a.id FROM account a WHERE a.tenant_id = $1 AND EXISTS (SELECT 1 FROM care_relation c WHERE c.tenant_id = a.tenant_id AND c.client_id = a.id)',
    'SELECT o.name FROM organization o WHERE o.tenant_id = (SELECT tenant_id FROM account WHERE tenant_id = $1 AND id = $2)',
    'INSERT INTO rate_limit (tenant_id, key) VALUES ($1, $2) ON CONFLICT (tenant_id, key) DO UPDATE SET count = rate_limit.count + 1',
    'SELECT id FROM account WHERE tenant_id = $1 AND created_at BETWEEN $2 AND $3',
    'SELECT name FROM schema_migration',
  ];
  for (const sql of good) assert.deepEqual(flagged(sql), [], `should pass: ${sql}`);
});

test('every query on a tenant table filters on tenant_id', () => {
  const tenantTables = new Set(tablesFromMigrations(readMigrations()).tenant);
  const { statements } = scanOfSrc();
  const problems: string[] = [];
  const excused = new Map<(typeof crossTenantByDesign)[number], number>();
  const touched = new Set<string>();
  let checked = 0;
  for (const statement of statements.filter((s) => s.analyze)) {
    const result = analyzeTenancy(statement.sql, tenantTables);
    if (result.tables.length === 0) continue;
    checked++;
    result.tables.forEach((table) => touched.add(table));
    const text = oneLine(statement.sql);
    for (const problem of result.problems) {
      const exemption = crossTenantByDesign.find((e) => e.table === problem.table && text.includes(e.snippet));
      if (exemption) excused.set(exemption, (excused.get(exemption) ?? 0) + 1);
      else problems.push(`${statement.file}:${statement.line}: ${problem.message}: ${text.slice(0, 160)}`);
    }
  }
  assert.deepEqual(problems, [], 'statements on a tenant table without tenant_id in their WHERE / JOIN / INSERT columns');
  assert.ok(checked > 80, `found only ${checked} statements on tenant tables; is the scan still working?`);
  assert.deepEqual(
    [...tenantTables].filter((table) => !touched.has(table)),
    [],
    'every tenant table should be read or written by some statement the scan found (else the scan misses it, or the table is dead)',
  );
  const stale = crossTenantByDesign.filter((e) => !excused.has(e)).map((e) => `${e.table} @ ${e.snippet}`);
  assert.deepEqual(stale, [], 'each cross-tenant exception must still excuse a statement in src/ (remove or update stale entries)');
});

test('every .query() call hands over SQL this scan can read, and no SQL is built with +', () => {
  const { opaque, passThroughUsed } = scanOfSrc();
  assert.deepEqual(opaque, [], 'keep query SQL in literals (or consts, ternaries and const objects of literals) so it can be checked');
  assert.deepEqual(
    Object.keys(queryPassThrough).filter((file) => !passThroughUsed.has(file)),
    [],
    'each pass-through file must still forward SQL it was given (remove stale entries)',
  );
});

test('no value is interpolated into SQL text', () => {
  const { statements } = scanOfSrc();
  const problems: string[] = [];
  const used = new Set<string>();
  for (const statement of statements) {
    for (const interpolation of statement.interpolations) {
      if (allowedInterpolations.has(interpolation)) used.add(interpolation);
      else problems.push(`${statement.file}:${statement.line}: ${interpolation} in ${oneLine(statement.sql).slice(0, 80)}`);
    }
  }
  assert.deepEqual(problems, [], 'only SQL text written in this codebase may be interpolated; values go in as $n parameters');
  assert.deepEqual(
    [...allowedInterpolations].filter((i) => !used.has(i)),
    [],
    'each allowed interpolation must still occur (remove stale entries)',
  );
});

/**
 * SPEC 9 (Citus): a row lock is taken only where the statement pins tenant_id to one value. A
 * lock across organizations is a lock across shards, which Citus refuses (the job claim once did).
 */
function lockProblem(sql: string): string | null {
  const text = oneLine(sql);
  if (!/\bFOR\s+(NO\s+KEY\s+)?(UPDATE|SHARE|KEY\s+SHARE)\b/i.test(text)) return null;
  if (crossTenantByDesign.some((e) => text.includes(e.snippet))) return 'a cross-organization statement takes a row lock';
  return /\btenant_id\s*=\s*\$\d+(::uuid)?(?![\w[])/.test(text) ? null : 'a row lock without tenant_id pinned to one value';
}

test('SPEC 9: row locks (FOR UPDATE / FOR SHARE) only in statements pinned to one organization', () => {
  for (const sql of [
    'SELECT tenant_id, id FROM job WHERE run_at <= $1 ORDER BY seq LIMIT 10 FOR UPDATE SKIP LOCKED',
    'SELECT 1 FROM account WHERE tenant_id = ANY($1::uuid[]) FOR UPDATE',
    'SELECT 1 FROM account WHERE id = $2 FOR SHARE',
    'SELECT 1 FROM account a WHERE a.id = $2 FOR NO KEY UPDATE',
  ]) {
    assert.ok(lockProblem(sql), `should be refused: ${sql}`);
  }
  for (const sql of ['SELECT 1 FROM account WHERE tenant_id = $1 AND id = $2 FOR UPDATE', 'SELECT id FROM second_factor WHERE tenant_id = $1::uuid AND id = $2 FOR UPDATE', 'SELECT 1 FROM account WHERE tenant_id = $1']) {
    assert.equal(lockProblem(sql), null, `should pass: ${sql}`);
  }
  const { statements } = scanOfSrc();
  const locking = statements.filter((s) => /\bFOR\s+(NO\s+KEY\s+)?(UPDATE|SHARE)\b/i.test(s.sql));
  assert.ok(locking.length >= 3, `found only ${locking.length} locking statements; is the scan still working?`);
  const problems = locking.flatMap((s) => {
    const problem = lockProblem(s.sql);
    return problem ? [`${s.file}:${s.line}: ${problem}: ${oneLine(s.sql).slice(0, 120)}`] : [];
  });
  assert.deepEqual(problems, []);
});
