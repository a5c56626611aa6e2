import { PGlite } from '@electric-sql/pglite';
import type { Db, Queryable, SqlParam } from './db.js';

/** Embedded PostgreSQL. It runs one query at a time, so a transaction must never wait on other work. */
export function pgliteDb(pg: PGlite): Db {
  const asQueryable = (runner: Pick<PGlite, 'query' | 'exec'>): Queryable => ({
    async query<Row>(sql: string, params: readonly SqlParam[] = []) {
      const result = await runner.query<Row>(sql, params as unknown[]);
      return result.rows;
    },
    async exec(sql: string) {
      await runner.exec(sql);
    },
  });
  const root = asQueryable(pg);
  return {
    kind: 'pglite',
    query: root.query,
    exec: root.exec,
    transaction: (fn) => pg.transaction((tx) => fn(asQueryable(tx))),
    close: () => pg.close(),
  };
}

export async function openPglite(dataDir: string | undefined): Promise<Db> {
  const pg = dataDir ? new PGlite(dataDir) : new PGlite();
  await pg.waitReady;
  return pgliteDb(pg);
}
