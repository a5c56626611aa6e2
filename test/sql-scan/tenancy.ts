// The analyzer: one SQL statement in, the tenant tables it reads without a tenant filter out.
import { conjuncts, factsOf } from './conditions.js';
import { clauseBody, closingParen, findTop, normalizeSql, SUB, topLevel } from './sql-text.js';

export interface TenancyProblem {
  table: string;
  message: string;
}

const clauseAfterFrom = /\b(WHERE|GROUP\s+BY|HAVING|WINDOW|ORDER\s+BY|LIMIT|OFFSET|FETCH|FOR\s+(?:UPDATE|SHARE|NO\s+KEY|KEY)|RETURNING|ON\s+CONFLICT)\b/i;
const clauseAfterWhere = /\b(GROUP\s+BY|HAVING|WINDOW|ORDER\s+BY|LIMIT|OFFSET|FETCH|FOR\s+(?:UPDATE|SHARE|NO\s+KEY|KEY)|RETURNING)\b/i;
const notAnAlias = /^(ON|USING|WHERE|NATURAL|LEFT|RIGHT|INNER|FULL|CROSS|JOIN|GROUP|ORDER|LIMIT|OFFSET|SET|RETURNING|FOR|WINDOW|HAVING|FETCH)$/i;

/** Replaces every parenthesized sub-SELECT by (SUBQUERY), collecting each (itself lifted) in `scopes`. */
function liftSubqueries(sql: string, scopes: string[]): string {
  let out = '';
  for (let i = 0; i < sql.length; i++) {
    if (sql[i] !== '(') {
      out += sql[i];
      continue;
    }
    const end = closingParen(sql, i);
    if (end < 0) throw new Error('unbalanced parentheses');
    const inner = sql.slice(i + 1, end);
    const lifted = liftSubqueries(inner, scopes);
    if (/^\s*(SELECT|WITH)\b/i.test(inner)) {
      scopes.push(lifted.trim());
      out += SUB;
    } else {
      out += `(${lifted})`;
    }
    i = end;
  }
  if (out.split(')').length > out.split('(').length) throw new Error('unbalanced parentheses');
  return out;
}

interface TableRef {
  table: string;
  alias: string | null;
  on: string | null;
  using: string[] | null;
}

/** Parses a FROM / USING list: its items, joined by commas or JOINs. */
function fromItems(list: string): TableRef[] {
  const blank = topLevel(list);
  const separators = [...blank.matchAll(/,|\b(?:NATURAL\s+)?(?:(?:LEFT|RIGHT|FULL)(?:\s+OUTER)?\s+|INNER\s+|CROSS\s+)?JOIN\b/gi)];
  const pieces: string[] = [];
  let start = 0;
  for (const sep of separators) {
    pieces.push(list.slice(start, sep.index));
    start = sep.index! + sep[0].length;
  }
  pieces.push(list.slice(start));
  const refs: TableRef[] = [];
  for (const piece of pieces) {
    const m = /^\s*(?:LATERAL\s+)?(?:ONLY\s+)?("?[\w.]+"?|\(SUBQUERY\))(?:\s+(?:AS\s+)?("?\w+"?))?/i.exec(piece);
    if (!m) continue;
    const alias = m[2] && !notAnAlias.test(m[2]) ? m[2].replaceAll('"', '').toLowerCase() : null;
    const on = findTop(piece, /\bON\b/);
    const using = /\bUSING\s*\(([^)]*)\)/i.exec(piece);
    refs.push({
      table: m[1]!.replaceAll('"', '').split('.').pop()!.toLowerCase(),
      alias,
      on: on ? piece.slice(on.index + on.length) : null,
      using: using ? using[1]!.split(',').map((c) => c.trim().toLowerCase()) : null,
    });
  }
  return refs;
}

function checkReads(refs: TableRef[], where: string | null, tenantTables: ReadonlySet<string>): TenancyProblem[] {
  const names = new Map<string, number>();
  refs.forEach((ref, i) => {
    names.set(ref.alias ?? ref.table, i);
    if (!names.has(ref.table)) names.set(ref.table, i);
  });
  const tenantRefs = refs.map((ref, i) => (tenantTables.has(ref.table) ? i : -1)).filter((i) => i >= 0);
  // An unqualified tenant_id means the scope's one tenant table (with two it would be ambiguous).
  const resolve = (qualifier: string | null): number | 'outer' | null => {
    if (qualifier === null) return tenantRefs.length === 1 ? tenantRefs[0]! : null;
    const i = names.get(qualifier);
    return i === undefined ? 'outer' : i;
  };
  const facts = [where, ...refs.map((ref) => ref.on)].flatMap((condition) => (condition ? conjuncts(condition).flatMap(factsOf) : []));
  const anchored = new Set<number>();
  const edges: [number | 'outer' | null, number | 'outer' | null][] = [];
  for (const fact of facts) {
    if ('anchor' in fact) {
      const i = resolve(fact.anchor);
      if (typeof i === 'number') anchored.add(i);
    } else {
      edges.push([resolve(fact.edge[0]), resolve(fact.edge[1])]);
    }
  }
  refs.forEach((ref, i) => {
    if (ref.using?.includes('tenant_id')) for (let j = 0; j < i; j++) edges.push([i, j]);
  });
  // A table tied to a pinned table (or to an enclosing query's, checked on its own) is pinned too.
  for (let changed = true; changed; ) {
    changed = false;
    for (const [a, b] of edges) {
      const pinned = (x: typeof a) => x === 'outer' || (typeof x === 'number' && anchored.has(x));
      for (const [x, y] of [
        [a, b],
        [b, a],
      ] as const) {
        if (typeof x === 'number' && !anchored.has(x) && pinned(y)) {
          anchored.add(x);
          changed = true;
        }
      }
    }
  }
  return tenantRefs
    .filter((i) => !anchored.has(i))
    .map((i) => ({
      table: refs[i]!.table,
      message: `reads ${refs[i]!.table}${refs[i]!.alias ? ` ${refs[i]!.alias}` : ''} without tenant_id in its WHERE or JOIN condition`,
    }));
}

export interface ScopeResult {
  tables: string[];
  problems: TenancyProblem[];
}

function analyzeScope(scope: string, tenantTables: ReadonlySet<string>): ScopeResult {
  let s = scope.trim();
  if (/^WITH\b/i.test(s)) {
    const main = findTop(s, /\b(SELECT|INSERT|UPDATE|DELETE)\b/);
    s = main ? s.slice(main.index) : '';
  }
  const setOps = topLevel(s).split(/\b(?:UNION|INTERSECT|EXCEPT)(?:\s+ALL|\s+DISTINCT)?\b/i);
  if (setOps.length > 1) {
    let offset = 0;
    const results = setOps.map((part) => {
      const text = s.slice(offset, offset + part.length);
      offset += part.length;
      offset += (/^\s*(?:UNION|INTERSECT|EXCEPT)(?:\s+ALL|\s+DISTINCT)?/i.exec(s.slice(offset))?.[0].length ?? 0);
      return analyzeScope(text, tenantTables);
    });
    return { tables: results.flatMap((r) => r.tables), problems: results.flatMap((r) => r.problems) };
  }
  const tenantOnly = (refs: TableRef[]) => refs.map((r) => r.table).filter((t) => tenantTables.has(t));
  const whereOf = (from: number) => {
    const where = findTop(s, /\bWHERE\b/, from);
    return where ? clauseBody(s, where.index + where.length, clauseAfterWhere) : null;
  };

  if (/^SELECT\b/i.test(s)) {
    const from = findTop(s, /(?<!\bDISTINCT\s)\bFROM\b/);
    if (!from) return { tables: [], problems: [] };
    const refs = fromItems(clauseBody(s, from.index + from.length, clauseAfterFrom));
    return { tables: tenantOnly(refs), problems: checkReads(refs, whereOf(from.index), tenantTables) };
  }
  const update = /^UPDATE\s+(?:ONLY\s+)?("?[\w.]+"?)(?:\s+(?:AS\s+)?(?!SET\b)(\w+))?\s+SET\b/i.exec(s);
  if (update) {
    const refs: TableRef[] = [{ table: update[1]!.replaceAll('"', '').split('.').pop()!.toLowerCase(), alias: update[2]?.toLowerCase() ?? null, on: null, using: null }];
    const from = findTop(s, /(?<!\bDISTINCT\s)\bFROM\b/, update[0].length);
    if (from) refs.push(...fromItems(clauseBody(s, from.index + from.length, /\b(WHERE|RETURNING)\b/)));
    return { tables: tenantOnly(refs), problems: checkReads(refs, whereOf(update[0].length), tenantTables) };
  }
  const del = /^DELETE\s+FROM\s+(?:ONLY\s+)?("?[\w.]+"?)(?:\s+(?:AS\s+)?(?!(?:USING|WHERE|RETURNING)\b)(\w+))?/i.exec(s);
  if (del) {
    const refs: TableRef[] = [{ table: del[1]!.replaceAll('"', '').split('.').pop()!.toLowerCase(), alias: del[2]?.toLowerCase() ?? null, on: null, using: null }];
    const using = findTop(s, /\bUSING\b/, del[0].length);
    if (using) refs.push(...fromItems(clauseBody(s, using.index + using.length, /\b(WHERE|RETURNING)\b/)));
    return { tables: tenantOnly(refs), problems: checkReads(refs, whereOf(del[0].length), tenantTables) };
  }
  const insert = /^INSERT\s+INTO\s+("?[\w.]+"?)(?:\s+AS\s+\w+)?\s*(?:\(([^()]*)\))?/i.exec(s);
  if (insert) {
    const table = insert[1]!.replaceAll('"', '').split('.').pop()!.toLowerCase();
    const problems: TenancyProblem[] = [];
    const tables = tenantTables.has(table) ? [table] : [];
    const columns = insert[2]?.split(',').map((c) => c.trim().replaceAll('"', '').toLowerCase());
    if (tables.length && !columns) problems.push({ table, message: `INSERT INTO ${table} names no columns, so tenant_id cannot be seen` });
    else if (tables.length && !columns!.includes('tenant_id')) problems.push({ table, message: `INSERT INTO ${table} does not set tenant_id` });
    const conflict = /\bON\s+CONFLICT\s*\(([^()]*)\)/i.exec(s);
    if (tables.length && conflict && !/\btenant_id\b/i.test(conflict[1]!)) problems.push({ table, message: `ON CONFLICT target of ${table} lacks tenant_id` });
    // INSERT ... SELECT reads what it inserts: judge that SELECT like any other.
    const rest = s.slice(insert[0].length).trim();
    if (/^SELECT\b/i.test(rest)) {
      const end = findTop(rest, /\bON\s+CONFLICT\b|\bRETURNING\b/);
      const inner = analyzeScope(end ? rest.slice(0, end.index) : rest, tenantTables);
      tables.push(...inner.tables);
      problems.push(...inner.problems);
    }
    return { tables, problems };
  }
  // Anything else (BEGIN, CREATE, a fragment such as "AND EXISTS (...)") may not touch a tenant table.
  const touched = [...s.matchAll(/\b(?:FROM|INTO|UPDATE|JOIN|TABLE|TRUNCATE|USING)\s+(?:ONLY\s+)?"?(?:\w+\.)?(\w+)/gi)]
    .map((m) => m[1]!.toLowerCase())
    .filter((t) => tenantTables.has(t));
  return { tables: touched, problems: touched.map((table) => ({ table, message: `statement kind not understood by this scan, and it touches ${table}` })) };
}

/** The tenant tables one SQL statement touches, and those it reads without a tenant filter. */
export function analyzeTenancy(sql: string, tenantTables: ReadonlySet<string>): ScopeResult {
  const scopes: string[] = [];
  let top: string;
  try {
    top = liftSubqueries(normalizeSql(sql), scopes);
  } catch (error) {
    return { tables: [], problems: [{ table: '?', message: (error as Error).message }] };
  }
  const results = [...scopes, top].map((scope) => analyzeScope(scope, tenantTables));
  return { tables: [...new Set(results.flatMap((r) => r.tables))], problems: results.flatMap((r) => r.problems) };
}
