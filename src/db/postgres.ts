import pg from 'pg';
import { DatabaseUnavailableError, type Db, type Queryable, type SqlParam } from './db.js';

// Connection failures become DatabaseUnavailableError; SQL errors (constraint violations) stay as they are.
const connectionErrorCodes = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EPIPE', '57P01', '57P03', '08006', '08001', '08003']);

function isConnectionError(error: unknown): boolean {
  const code = (error as { code?: string } | null)?.code;
  if (code && connectionErrorCodes.has(code)) return true;
  const message = error instanceof Error ? error.message : '';
  return /Connection terminated|connect ECONNREFUSED|timeout exceeded when trying to connect/i.test(message);
}

function wrap(error: unknown): unknown {
  return isConnectionError(error) ? new DatabaseUnavailableError(error) : error;
}

export function postgresDb(connectionString: string, poolSize = 10): Db {
  const pool = new pg.Pool({ connectionString, max: poolSize, connectionTimeoutMillis: 3000 });
  // An idle client losing its connection must not crash the process; the next query reconnects.
  pool.on('error', () => {});
  const asQueryable = (runner: pg.Pool | pg.PoolClient): Queryable => ({
    async query<Row>(sql: string, params: readonly SqlParam[] = []) {
      try {
        const result = await runner.query(sql, params as unknown[]);
        return result.rows as Row[];
      } catch (error) {
        throw wrap(error);
      }
    },
    async exec(sql: string) {
      try {
        await runner.query(sql);
      } catch (error) {
        throw wrap(error);
      }
    },
  });
  const root = asQueryable(pool);
  return {
    kind: 'postgres',
    query: root.query,
    exec: root.exec,
    async transaction(fn) {
      let client: pg.PoolClient;
      try {
        client = await pool.connect();
      } catch (error) {
        throw wrap(error);
      }
      try {
        await client.query('BEGIN');
        const result = await fn(asQueryable(client));
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        throw wrap(error);
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}
