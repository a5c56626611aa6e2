import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { closingParen, normalizeSql, splitCommas } from './sql-text.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** Every table the migrations create (and do not drop), and those with a tenant_id column. */
export function tablesFromMigrations(files: { name: string; sql: string }[]): { all: string[]; tenant: string[] } {
  const all = new Set<string>();
  const tenant = new Set<string>();
  for (const file of [...files].sort((a, b) => a.name.localeCompare(b.name))) {
    const sql = normalizeSql(file.sql);
    for (const statement of sql.split(';')) {
      const create = /^CREATE\s+(?:UNLOGGED\s+)?TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?(?:\w+\.)?(\w+)\s*\(/i.exec(statement.trim());
      if (create) {
        const table = create[1]!.toLowerCase();
        const body = statement.trim();
        const open = create[0].length - 1;
        const columns = splitCommas(body.slice(open + 1, closingParen(body, open)));
        all.add(table);
        if (columns.some((column) => /^"?tenant_id"?\s/i.test(column))) tenant.add(table);
        continue;
      }
      const alter = /^ALTER\s+TABLE\s+(?:IF\s+EXISTS\s+)?(?:ONLY\s+)?(?:\w+\.)?(\w+)\s+([\s\S]*)$/i.exec(statement.trim());
      if (alter && /\bADD\s+(?:COLUMN\s+)?(?:IF\s+NOT\s+EXISTS\s+)?tenant_id\b/i.test(alter[2]!)) tenant.add(alter[1]!.toLowerCase());
      if (alter && /\bDROP\s+(?:COLUMN\s+)?(?:IF\s+EXISTS\s+)?tenant_id\b/i.test(alter[2]!)) tenant.delete(alter[1]!.toLowerCase());
      const drop = /^DROP\s+TABLE\s+(?:IF\s+EXISTS\s+)?([\w.,\s]+)/i.exec(statement.trim());
      for (const name of drop ? drop[1]!.split(',') : []) {
        const table = name.trim().split(/\s+/)[0]!.split('.').pop()!.toLowerCase();
        all.delete(table);
        tenant.delete(table);
      }
    }
  }
  return { all: [...all].sort(), tenant: [...tenant].sort() };
}

export function readMigrations(): { name: string; sql: string }[] {
  const dir = join(root, 'migrations');
  return readdirSync(dir)
    .filter((name) => name.endsWith('.sql'))
    .map((name) => ({ name, sql: readFileSync(join(dir, name), 'utf8') }));
}
