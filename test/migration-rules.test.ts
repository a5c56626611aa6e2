/**
 * SPEC 9 (Citus, issue 14): a migration names every constraint it adds to an existing table, and
 * adds it in a statement of its own. Citus refuses `ALTER TABLE … ADD COLUMN … CHECK (…)` on a
 * distributed table, and an unnamed constraint gets a name Citus cannot find again on its shards.
 * This reads every migration, so a future one cannot break Citus unnoticed.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { migrationsDir } from '../src/db/migrate.js';
import { splitStatements, stripComments } from '../src/db/sql-statements.js';

/** The actions of an ALTER TABLE, split on commas outside parentheses. */
function actionsOf(alter: string): string[] {
  const body = alter.replace(/^\s*ALTER\s+TABLE\s+(IF\s+EXISTS\s+)?(ONLY\s+)?[\w."]+\s*/i, '');
  const actions: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < body.length; i++) {
    if (body[i] === '(') depth++;
    else if (body[i] === ')') depth--;
    else if (body[i] === ',' && depth === 0) {
      actions.push(body.slice(start, i).trim());
      start = i + 1;
    }
  }
  actions.push(body.slice(start).trim());
  return actions.filter(Boolean);
}

/** What is wrong with one statement of a migration, for Citus; empty when nothing is. */
function constraintProblems(statement: string): string[] {
  const text = stripComments(statement).replace(/'(?:[^']|'')*'/g, "''").replace(/\s+/g, ' ').trim();
  if (!/^ALTER TABLE\b/i.test(text)) return [];
  const actions = actionsOf(text);
  const problems: string[] = [];
  const addsConstraint = actions.some((a) => /^ADD\s+CONSTRAINT\b/i.test(a));
  if (addsConstraint && actions.length > 1) problems.push('a constraint is added in a statement of its own');
  for (const action of actions) {
    if (/^ADD\s+(CHECK|UNIQUE|PRIMARY\s+KEY|FOREIGN\s+KEY|EXCLUDE)\b/i.test(action)) problems.push(`an unnamed constraint: ${action}`);
    else if (/^ADD\s+(?!CONSTRAINT\b)/i.test(action) && /\b(CHECK|REFERENCES|UNIQUE|PRIMARY\s+KEY)\b/i.test(action)) problems.push(`a constraint inside ADD COLUMN: ${action}`);
  }
  return problems;
}

test('the rule refuses unnamed constraints, constraints inside ADD COLUMN and constraints beside other changes', () => {
  const refused = [
    "ALTER TABLE job ADD COLUMN lane text NOT NULL DEFAULT 'mail' CHECK (lane IN ('mail', 'logout'))",
    'ALTER TABLE job ADD COLUMN owner uuid REFERENCES account (id)',
    'alter table job add column code text unique',
    'ALTER TABLE job ADD CHECK (attempts >= 0)',
    'ALTER TABLE job ADD UNIQUE (tenant_id, seq)',
    'ALTER TABLE job ADD FOREIGN KEY (tenant_id) REFERENCES organization (tenant_id)',
    'ALTER TABLE job ADD COLUMN x int, ADD CONSTRAINT job_x CHECK (x > 0)',
  ];
  for (const sql of refused) assert.notDeepEqual(constraintProblems(sql), [], `should be refused: ${sql}`);
  const accepted = [
    'ALTER TABLE job ADD CONSTRAINT job_attempts CHECK (attempts >= 0)',
    'ALTER TABLE passkey_challenge DROP CONSTRAINT passkey_challenge_purpose_check',
    "ALTER TABLE job ADD COLUMN lane text NOT NULL DEFAULT 'check (x)'",
    'ALTER TABLE account ADD COLUMN second_factor_failures integer NOT NULL DEFAULT 0, ADD COLUMN second_factor_locked_until timestamptz',
    '-- ADD CHECK (a) in a comment\nALTER TABLE job ADD COLUMN note text',
    'CREATE TABLE t (tenant_id uuid NOT NULL, kind text CHECK (kind IN (\'a\')), UNIQUE (tenant_id))',
  ];
  for (const sql of accepted) assert.deepEqual(constraintProblems(sql), [], `should pass: ${sql}`);
});

test('every migration names each constraint it adds to an existing table, in a statement of its own', () => {
  const files = readdirSync(migrationsDir).filter((f) => /^\d+_.+\.sql$/.test(f)).sort();
  assert.ok(files.length >= 10, `found only ${files.length} migrations`);
  const problems = files.flatMap((file) =>
    splitStatements(readFileSync(join(migrationsDir, file), 'utf8')).flatMap((statement) => constraintProblems(statement).map((p) => `${file}: ${p}`)),
  );
  assert.deepEqual(problems, []);
});
