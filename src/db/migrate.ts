import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { projectRoot } from '../core/project-root.js';
import { citusMigrationSettings, distributeNewTables, isCitus } from './citus.js';
import type { Db } from './db.js';
import { splitStatements } from './sql-statements.js';

export const migrationsDir = join(projectRoot, 'migrations');

// Any fixed number: every instance takes the same advisory lock, so two starting together
// never apply one migration twice.
const migrationLockId = 7_313_001;

/**
 * Applies the numbered SQL files not yet applied, in order, in one transaction under an advisory
 * lock (two instances starting together never apply one twice). On Citus (SPEC 9) each statement
 * is sent on its own, and after each migration the tables it created are distributed
 * (src/db/citus.ts); PGlite and plain PostgreSQL get each file whole, as always.
 */
export async function migrate(db: Db, dir = migrationsDir): Promise<string[]> {
  const files = (await readdir(dir)).filter((f) => /^\d+_.+\.sql$/.test(f)).sort();
  const applied: string[] = [];
  await db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [migrationLockId]);
    await tx.query('CREATE TABLE IF NOT EXISTS schema_migration (name text PRIMARY KEY, applied_at timestamptz NOT NULL)');
    const done = new Set((await tx.query<{ name: string }>('SELECT name FROM schema_migration')).map((r) => r.name));
    const citus = await isCitus(tx);
    if (citus) for (const setting of citusMigrationSettings) await tx.exec(setting);
    for (const file of files) {
      if (done.has(file)) continue;
      const sql = await readFile(join(dir, file), 'utf8');
      if (citus) {
        for (const statement of splitStatements(sql)) await tx.exec(statement);
        await distributeNewTables(tx);
      } else {
        await tx.exec(sql);
      }
      await tx.query('INSERT INTO schema_migration (name, applied_at) VALUES ($1, $2)', [file, new Date()]);
      applied.push(file);
    }
  });
  return applied;
}
