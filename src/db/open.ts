import type { Config } from '../config.js';
import type { Db } from './db.js';
import { acquireDataDirLock, type DataDirLock } from './data-dir-lock.js';
import { migrate } from './migrate.js';
import { openPglite } from './pglite.js';
import { postgresDb } from './postgres.js';

/** Opens the configured database and brings its schema up to date. */
export async function openDatabase(config: Config, holder: 'server' | 'cli'): Promise<{ db: Db; release: () => Promise<void> }> {
  let lock: DataDirLock | null = null;
  let db: Db;
  if (config.databaseUrl) {
    db = postgresDb(config.databaseUrl);
  } else {
    lock = acquireDataDirLock(config.dataDir, holder);
    db = await openPglite(config.dataDir);
  }
  await migrate(db);
  return {
    db,
    release: async () => {
      await db.close();
      lock?.release();
    },
  };
}
