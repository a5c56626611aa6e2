import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The embedded database serves one process per data directory (SPEC 9). A lock file with the
 * holder's pid makes a second process stop with a clear message instead of corrupting data.
 */
export interface DataDirLock {
  release(): void;
}

export class DataDirBusyError extends Error {
  constructor(dataDir: string, holder: string, pid: number) {
    super(
      `The embedded database in ${dataDir} is in use by another Ingang ${holder} (pid ${pid}). ` +
        'Stop that process first, or set DATABASE_URL to use PostgreSQL, where both can run side by side.',
    );
    this.name = 'DataDirBusyError';
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function acquireDataDirLock(dataDir: string, holder: 'server' | 'cli'): DataDirLock {
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, 'ingang.lock');
  try {
    writeFileSync(path, JSON.stringify({ pid: process.pid, holder }), { flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    let existing: { pid?: number; holder?: string } = {};
    try {
      existing = JSON.parse(readFileSync(path, 'utf8')) as typeof existing;
    } catch {
      // An unreadable lock file is treated as stale below.
    }
    if (typeof existing.pid === 'number' && existing.pid !== process.pid && isAlive(existing.pid)) {
      throw new DataDirBusyError(dataDir, existing.holder ?? 'process', existing.pid);
    }
    // Stale: its process is gone (a crash or kill -9). Take it over.
    writeFileSync(path, JSON.stringify({ pid: process.pid, holder }));
  }
  return {
    release() {
      try {
        const current = JSON.parse(readFileSync(path, 'utf8')) as { pid?: number };
        if (current.pid === process.pid) rmSync(path);
      } catch {
        // Already gone.
      }
    },
  };
}
