import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

/**
 * SECURITY 25 and SPEC 9 (Citus): every query names tenant_id, and SQL never has a value pasted
 * into it. This reads the SQL text in src/ the way a reviewer would, so a new query that forgets
 * the tenant fails here. The few deliberate exceptions are listed with their reason.
 */
const tenantTables = ['account', 'care_relation', 'account_token', 'web_session', 'rate_limit', 'job', 'audit_event'];

const crossTenantByDesign: Record<string, string> = {
  'UPDATE job SET attempts': 'the job worker claims due work of all organizations',
  'AS pending, count(*) FILTER': 'the metrics gauge counts the whole queue',
  'DELETE FROM web_session WHERE (account_id IS NULL': 'maintenance purge of dead sessions in every organization',
  'DELETE FROM rate_limit WHERE window_start <': 'maintenance purge of ended rate-limit windows',
  'DELETE FROM job WHERE done_at IS NOT NULL': 'maintenance purge of delivered jobs',
};

/** Interpolations that insert SQL text written in this codebase, never a value. */
const allowedInterpolations = new Set(['${accountColumns}', '${sessionColumns}', '${columns}', '${selectOrganization}', '${relation}', "${accountColumns.replace(/(\\w+)/g, 'a.$1')}"]);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') && !path.endsWith('.test.ts') ? [path] : [];
  });
}

function sqlStatements(source: string): string[] {
  const literals = source.match(/`[^`]*`|'(?:[^'\\\n]|\\.)*'/g) ?? [];
  return literals.filter((literal) => /\b(SELECT|INSERT INTO|UPDATE|DELETE FROM)\b/.test(literal) && /\b(FROM|INTO|SET)\b/.test(literal));
}

test('every query on a tenant table filters on tenant_id', () => {
  const problems: string[] = [];
  let checked = 0;
  for (const file of sourceFiles('src')) {
    for (const sql of sqlStatements(readFileSync(file, 'utf8'))) {
      const touchesTenantTable = tenantTables.some((table) => new RegExp(`\\b(FROM|INTO|UPDATE|JOIN)\\s+${table}\\b`).test(sql));
      if (!touchesTenantTable) continue;
      checked++;
      if (Object.keys(crossTenantByDesign).some((marker) => sql.includes(marker))) continue;
      if (!sql.includes('tenant_id')) problems.push(`${file}: ${sql.slice(0, 120)}`);
    }
  }
  assert.ok(checked > 30, `found only ${checked} queries; is the scan still working?`);
  assert.deepEqual(problems, []);
});

test('no value is interpolated into SQL text', () => {
  const problems: string[] = [];
  for (const file of sourceFiles('src')) {
    for (const sql of sqlStatements(readFileSync(file, 'utf8'))) {
      for (const interpolation of sql.match(/\$\{[^}]*\}/g) ?? []) {
        if (!allowedInterpolations.has(interpolation)) problems.push(`${file}: ${interpolation} in ${sql.slice(0, 80)}`);
      }
    }
  }
  assert.deepEqual(problems, []);
});
