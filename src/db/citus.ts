import type { Queryable } from './db.js';

/**
 * SPEC 9: on Citus (distributed PostgreSQL) Ingang shards by organization. The migration runner
 * recognises a database with the `citus` extension and, after each migration, distributes the
 * tables that migration created: generated from the schema, not written per migration, so a new
 * table can never stay behind as a local table on the coordinator.
 *
 * - `organization` and `organization_host` are reference tables (a copy on every node): the Host
 *   header and the slug find an organization before its tenant is known.
 * - Every other table is distributed by `tenant_id`, colocated with the others (Citus colocates
 *   tables distributed on the same column type by default), so an organization's rows, and every
 *   query pinned to one tenant, stay on one node.
 * - `schema_migration` stays on the coordinator.
 */
export const referenceTables: readonly string[] = ['organization', 'organization_host'];
const coordinatorTables: readonly string[] = ['schema_migration'];

/**
 * Set in the migrations' transaction on Citus: foreign keys to the reference tables are made while
 * the new table is still local (else Citus would turn it into a "Citus local table", which can no
 * longer be distributed); `audit_event`'s append-only triggers are allowed on a distributed table;
 * and DDL goes over one connection per worker, as Citus needs for tables with foreign keys to
 * reference tables made in the same transaction.
 */
export const citusMigrationSettings: readonly string[] = [
  'SET LOCAL citus.enable_local_reference_table_foreign_keys = off',
  'SET LOCAL citus.enable_unsafe_triggers = on',
  "SET LOCAL citus.multi_shard_modify_mode = 'sequential'",
];

export async function isCitus(db: Queryable): Promise<boolean> {
  const rows = await db.query<{ found: number }>("SELECT 1 AS found FROM pg_extension WHERE extname = 'citus'");
  return rows.length > 0;
}

/**
 * The order to distribute new tables in: a table after every new table it has a foreign key to
 * (Citus distributes a referenced table first), else by name. A cycle is an error: Citus cannot
 * distribute it table by table, and no migration of Ingang makes one.
 */
export function distributionOrder(tables: readonly string[], foreignKeys: readonly { child: string; parent: string }[]): string[] {
  const pending = new Set(tables);
  const order: string[] = [];
  while (pending.size > 0) {
    const ready = [...pending].filter((t) => !foreignKeys.some((fk) => fk.child === t && fk.parent !== t && pending.has(fk.parent))).sort();
    if (ready.length === 0) throw new Error(`foreign keys form a cycle among ${[...pending].join(', ')}: Citus cannot distribute them one by one`);
    for (const table of ready) {
      order.push(table);
      pending.delete(table);
    }
  }
  return order;
}

/** What a new table becomes on Citus. */
export function distributionOf(table: string): 'reference' | 'distributed' | 'coordinator' {
  if (coordinatorTables.includes(table)) return 'coordinator';
  return referenceTables.includes(table) ? 'reference' : 'distributed';
}

/** After a migration on Citus: the tables it created, distributed (reference tables first, then by foreign key). */
export async function distributeNewTables(tx: Queryable): Promise<string[]> {
  const fresh = await tx.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
        AND NOT EXISTS (SELECT 1 FROM pg_dist_partition p WHERE p.logicalrelid = c.oid)`,
  );
  const tables = fresh.map((r) => r.name).filter((name) => distributionOf(name) !== 'coordinator');
  if (tables.length === 0) return [];
  const foreignKeys = await tx.query<{ child: string; parent: string }>(
    `SELECT cc.relname AS child, pc.relname AS parent FROM pg_constraint k
       JOIN pg_class cc ON cc.oid = k.conrelid JOIN pg_class pc ON pc.oid = k.confrelid
      WHERE k.contype = 'f'`,
  );
  const order = distributionOrder(tables, foreignKeys);
  // Reference tables first: distributed tables have foreign keys to them.
  const sorted = [...order.filter((t) => distributionOf(t) === 'reference'), ...order.filter((t) => distributionOf(t) === 'distributed')];
  for (const table of sorted) {
    if (distributionOf(table) === 'reference') await tx.query('SELECT create_reference_table($1)', [table]);
    else await tx.query("SELECT create_distributed_table($1, 'tenant_id')", [table]);
  }
  return sorted;
}
