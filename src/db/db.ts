/**
 * The one way Ingang talks to PostgreSQL: parameterized SQL, nothing else.
 * Two drivers implement it: PGlite (embedded, the default) and pg (DATABASE_URL).
 */
export type SqlParam = string | number | boolean | null | Date | Buffer | Uint8Array | readonly string[];

export interface Queryable {
  query<Row = Record<string, unknown>>(sql: string, params?: readonly SqlParam[]): Promise<Row[]>;
  /** Runs a script of several statements without parameters (migrations only). */
  exec(sql: string): Promise<void>;
}

export interface Db extends Queryable {
  /** Runs fn in one transaction; it commits when fn resolves and rolls back when it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
  readonly kind: 'pglite' | 'postgres';
}

/** Thrown when the database cannot be reached; surfaces answer it with 503. */
export class DatabaseUnavailableError extends Error {
  constructor(cause: unknown) {
    super('database unavailable', { cause });
    this.name = 'DatabaseUnavailableError';
  }
}
