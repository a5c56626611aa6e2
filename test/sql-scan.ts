/**
 * The SQL scanner behind test/sql-tenancy.test.ts (SECURITY 25, SPEC 9): it finds the tenant
 * tables in migrations/, gathers the SQL in src/ through the TypeScript parser, and judges one
 * statement at a time for a tenant filter. What it accepts and the deliberate exceptions are
 * written down in that test, which also tests this analyzer against known good and bad SQL.
 *
 * The parts, in test/sql-scan/: migrations.ts (the tables), sources.ts (the SQL in src/),
 * tenancy.ts (the analyzer, one statement and its sub-SELECTs at a time), conditions.ts (what a
 * condition says about tenant_id) and sql-text.ts (SQL read as text).
 */
export { tablesFromMigrations, readMigrations } from './sql-scan/migrations.js';
export { analyzeTenancy, type ScopeResult, type TenancyProblem } from './sql-scan/tenancy.js';
export { scanSources, type Scan, type Statement } from './sql-scan/sources.js';
export { oneLine } from './sql-scan/sql-text.js';
