/**
 * The SQL scanner behind test/sql-tenancy.test.ts (SECURITY 25, SPEC 9): it finds the tenant
 * tables in migrations/, gathers the SQL in src/ through the TypeScript parser, and judges one
 * statement at a time for a tenant filter. What it accepts and the deliberate exceptions are
 * written down in that test, which also tests this analyzer against known good and bad SQL.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = fileURLToPath(new URL('..', import.meta.url));

// ---------------------------------------------------------------------------------------------
// Tenant tables from the migrations

/** Drops comments and blanks the contents of quoted strings, so only SQL structure is left. */
function normalizeSql(sql: string): string {
  let out = '';
  for (let i = 0; i < sql.length; i++) {
    const ch = sql[i]!;
    if (ch === '-' && sql[i + 1] === '-') {
      while (i < sql.length && sql[i] !== '\n') i++;
      out += ' ';
    } else if (ch === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2);
      i = end < 0 ? sql.length : end + 1;
      out += ' ';
    } else if (ch === "'") {
      // A string constant is data: keep '' so the structure around it stays.
      i++;
      while (i < sql.length && !(sql[i] === "'" && sql[i + 1] !== "'")) i += sql[i] === "'" ? 2 : 1;
      out += "''";
    } else {
      out += ch;
    }
  }
  return out.replace(/\s+/g, ' ').trim();
}

/** Index of the parenthesis closing the one at `open`, or -1. */
function closingParen(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === '(') depth++;
    else if (text[i] === ')' && --depth === 0) return i;
  }
  return -1;
}

/** The same text with everything inside parentheses blanked, so keywords are found at top level only. */
function topLevel(text: string): string {
  let depth = 0;
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === ')') depth--;
    out += depth > 0 ? ' ' : ch;
    if (ch === '(') depth++;
  }
  return out;
}

/** Splits at top-level commas. */
function splitCommas(text: string): string[] {
  const blank = topLevel(text);
  const parts: string[] = [];
  let start = 0;
  for (let i = 0; i < blank.length; i++) {
    if (blank[i] === ',') {
      parts.push(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  parts.push(text.slice(start).trim());
  return parts.filter((p) => p.length > 0);
}

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

// ---------------------------------------------------------------------------------------------
// The analyzer: one SQL statement in, the tenant tables it reads without a tenant filter out

export interface TenancyProblem {
  table: string;
  message: string;
}

const SUB = '(SUBQUERY)';
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

/** Position of the first top-level match of `pattern` at or after `from`, or -1. */
function findTop(text: string, pattern: RegExp, from = 0): { index: number; length: number } | null {
  const blank = topLevel(text);
  const re = new RegExp(pattern.source, 'gi');
  re.lastIndex = from;
  const m = re.exec(blank);
  return m ? { index: m.index, length: m[0].length } : null;
}

/** The text from `start` to the next top-level clause keyword. */
function clauseBody(text: string, start: number, end: RegExp): string {
  const next = findTop(text, end, start);
  return text.slice(start, next ? next.index : text.length).trim();
}

/** A condition cut into its top-level AND terms (an OR stays one term). */
function conjuncts(condition: string): string[] {
  let c = condition.trim();
  while (c.startsWith('(') && closingParen(c, 0) === c.length - 1) c = c.slice(1, -1).trim();
  const blank = topLevel(c);
  const parts: string[] = [];
  let start = 0;
  let betweenPending = false;
  const re = /\b(AND|BETWEEN)\b/gi;
  for (let m = re.exec(blank); m; m = re.exec(blank)) {
    if (m[1]!.toUpperCase() === 'BETWEEN') betweenPending = true;
    else if (betweenPending) betweenPending = false;
    else {
      parts.push(c.slice(start, m.index));
      start = m.index + m[0].length;
    }
  }
  parts.push(c.slice(start));
  if (parts.length === 1) return [c];
  return parts.flatMap(conjuncts);
}

type Side = { kind: 'tenant'; qualifier: string | null } | { kind: 'anchor' } | { kind: 'other' };

function side(expression: string): Side {
  let e = expression.trim();
  while (/::\s*[\w ]+(\[\])?$/.test(e)) e = e.replace(/::\s*[\w ]+(\[\])?$/, '').trim();
  while (e.startsWith('(') && closingParen(e, 0) === e.length - 1 && e !== SUB) e = e.slice(1, -1).trim();
  const ref = /^(?:"?(\w+)"?\.)?"?tenant_id"?$/i.exec(e);
  if (ref) return { kind: 'tenant', qualifier: ref[1]?.toLowerCase() ?? null };
  if (/^\$\d+$/.test(e) || e === SUB) return { kind: 'anchor' };
  const any = /^ANY\s*\(([\s\S]*)\)$/i.exec(e);
  if (any && side(any[1]!).kind === 'anchor') return { kind: 'anchor' };
  return { kind: 'other' };
}

type Fact = { anchor: string | null } | { edge: [string | null, string | null] };

/** What one AND term says about tenant_id: pins a table to a tenant, or ties two tables' tenants. */
function factsOf(term: string): Fact[] {
  const t = term.trim();
  const blank = topLevel(t);
  if (/\b(OR|NOT|CASE)\b/i.test(blank)) return [];
  const pair = (a: Side, b: Side): Fact[] => {
    if (a.kind === 'tenant' && b.kind === 'anchor') return [{ anchor: a.qualifier }];
    if (b.kind === 'tenant' && a.kind === 'anchor') return [{ anchor: b.qualifier }];
    if (a.kind === 'tenant' && b.kind === 'tenant' && a.qualifier !== b.qualifier) return [{ edge: [a.qualifier, b.qualifier] }];
    return [];
  };
  const tuple = (text: string): string[] | null => {
    const s = text.trim();
    return s.startsWith('(') && closingParen(s, 0) === s.length - 1 && s !== SUB ? splitCommas(s.slice(1, -1)) : null;
  };
  const rows = (left: string, right: string): Fact[] => {
    const l = tuple(left);
    if (!l) return right.trim() === SUB ? pair(side(left), { kind: 'anchor' }) : [];
    if (right.trim() === SUB) return l.flatMap((item) => pair(side(item), { kind: 'anchor' }));
    const r = tuple(right);
    if (!r || r.length !== l.length) return [];
    return l.flatMap((item, i) => pair(side(item), side(r[i]!)));
  };
  const equals = [...blank.matchAll(/(?<![<>!=:])=(?![=>])/g)];
  if (equals.length === 1) {
    const at = equals[0]!.index!;
    const left = t.slice(0, at);
    const right = t.slice(at + 1);
    return tuple(left) ? rows(left, right) : pair(side(left), side(right));
  }
  const inList = /\bIN\b/i.exec(blank);
  if (equals.length === 0 && inList) {
    const left = t.slice(0, inList.index);
    const right = t.slice(inList.index + 2);
    if (tuple(left)) return rows(left, right);
    const items = tuple(right);
    if (right.trim() === SUB || (items && items.every((item) => side(item).kind === 'anchor'))) return pair(side(left), { kind: 'anchor' });
  }
  return [];
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

// ---------------------------------------------------------------------------------------------
// The SQL in src/

export interface Statement {
  file: string;
  line: number;
  /** The SQL with `${const}` fragments spliced in and other interpolations blanked. */
  sql: string;
  /** Every `${...}` in the literal, as written. */
  interpolations: string[];
  /** False for a const fragment that is only used spliced into other statements. */
  analyze: boolean;
}

type SqlLiteral = ts.StringLiteral | ts.NoSubstitutionTemplateLiteral | ts.TemplateExpression;

const isSqlLiteral = (node: ts.Node): node is SqlLiteral => ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node) || ts.isTemplateExpression(node);

const looksLikeSql = (text: string) => /\b(SELECT|INSERT INTO|UPDATE|DELETE FROM)\b/.test(text) && /\b(FROM|INTO|SET)\b/.test(text);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') && !path.endsWith('.test.ts') ? [path] : [];
  });
}

export interface Scan {
  statements: Statement[];
  /** `.query()` calls whose SQL cannot be traced to literals, and SQL built with `+`. */
  opaque: string[];
  /** Pass-through files that really have an untraceable `.query()`. */
  passThroughUsed: Set<string>;
}

function scanFile(file: string, text: string, passThroughFiles: ReadonlySet<string>): Scan {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const lineOf = (node: ts.Node) => sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1;
  const declarations = new Map<string, ts.VariableDeclaration[]>();
  const literals: SqlLiteral[] = [];
  const calls: ts.CallExpression[] = [];
  const plus: ts.BinaryExpression[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name)) declarations.set(node.name.text, [...(declarations.get(node.name.text) ?? []), node]);
    if (isSqlLiteral(node)) literals.push(node);
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && node.expression.name.text === 'query') calls.push(node);
    if (ts.isBinaryExpression(node) && (node.operatorToken.kind === ts.SyntaxKind.PlusToken || node.operatorToken.kind === ts.SyntaxKind.PlusEqualsToken)) plus.push(node);
    ts.forEachChild(node, visit);
  };
  visit(sf);

  const isConst = (decl: ts.VariableDeclaration) => ts.isVariableDeclarationList(decl.parent) && (decl.parent.flags & ts.NodeFlags.Const) !== 0;
  const constLiteral = (name: string): SqlLiteral | null => {
    const decls = declarations.get(name) ?? [];
    const init = decls.length === 1 && isConst(decls[0]!) ? decls[0]!.initializer : undefined;
    return init && isSqlLiteral(init) ? init : null;
  };
  const spliced = new Set<ts.Node>();
  const sqlOf = (node: SqlLiteral, mark: boolean, depth = 0): string => {
    if (!ts.isTemplateExpression(node)) return node.text;
    let sql = node.head.text;
    for (const span of node.templateSpans) {
      const fragment = ts.isIdentifier(span.expression) && depth < 5 ? constLiteral(span.expression.text) : null;
      if (fragment && mark) spliced.add(fragment);
      sql += (fragment ? sqlOf(fragment, mark, depth + 1) : ' ') + span.literal.text;
    }
    return sql;
  };

  /** The literals a `.query()` argument can evaluate to, or null when that cannot be traced. */
  const literalsOf = (expression: ts.Expression): SqlLiteral[] | null => {
    if (isSqlLiteral(expression)) return [expression];
    if (ts.isParenthesizedExpression(expression)) return literalsOf(expression.expression);
    if (ts.isConditionalExpression(expression)) {
      const a = literalsOf(expression.whenTrue);
      const b = literalsOf(expression.whenFalse);
      return a && b ? [...a, ...b] : null;
    }
    let rootName: ts.Expression = expression;
    while (ts.isPropertyAccessExpression(rootName) || ts.isElementAccessExpression(rootName)) rootName = rootName.expression;
    if (!ts.isIdentifier(rootName)) return null;
    const decls = declarations.get(rootName.text) ?? [];
    if (decls.length === 0 || !decls.every((d) => isConst(d) && d.initializer)) return null;
    if (rootName === expression) {
      const all = decls.map((d) => literalsOf(d.initializer!));
      return all.every((x) => x !== null) ? all.flat() as SqlLiteral[] : null;
    }
    // An entry of a const object such as { web: { reserve: '...' } }: every string value in it.
    const found: SqlLiteral[] = [];
    const collect = (node: ts.Node): void => {
      if (ts.isPropertyAssignment(node)) return collect(node.initializer);
      if (isSqlLiteral(node)) found.push(node);
      else ts.forEachChild(node, collect);
    };
    decls.forEach((d) => collect(d.initializer!));
    return found.length ? found : null;
  };

  const opaque: string[] = [];
  const passThroughUsed = new Set<string>();
  const queried = new Set<ts.Node>();
  for (const call of calls) {
    const arg = call.arguments[0];
    const found = arg ? literalsOf(arg) : null;
    if (found) found.forEach((literal) => queried.add(literal));
    else if (passThroughFiles.has(file)) passThroughUsed.add(file);
    else opaque.push(`${file}:${lineOf(call)}: .query() with SQL this scan cannot trace to literals: ${call.getText(sf).slice(0, 100)}`);
  }
  const sqlValued = (node: ts.Expression): boolean => {
    if (isSqlLiteral(node)) return queried.has(node) || looksLikeSql(sqlOf(node, false));
    if (!ts.isIdentifier(node)) return false;
    return (declarations.get(node.text) ?? []).some((d) => d.initializer !== undefined && isSqlLiteral(d.initializer) && sqlValued(d.initializer));
  };
  for (const expr of plus) {
    if (sqlValued(expr.left) || sqlValued(expr.right)) opaque.push(`${file}:${lineOf(expr)}: SQL built with ${expr.operatorToken.getText(sf)}: ${expr.getText(sf).slice(0, 100)}`);
  }

  const candidates = literals.filter((literal) => queried.has(literal) || looksLikeSql(sqlOf(literal, false)));
  candidates.forEach((literal) => sqlOf(literal, true));
  const statements = candidates.map((literal) => ({
    file,
    line: lineOf(literal),
    sql: sqlOf(literal, false),
    interpolations: ts.isTemplateExpression(literal) ? literal.templateSpans.map((span) => `\${${span.expression.getText(sf)}}`) : [],
    analyze: queried.has(literal) || !spliced.has(literal),
  }));
  return { statements, opaque, passThroughUsed };
}

/**
 * Every statement in src/ (test files left out). `passThroughFiles` (paths relative to the
 * repository, like `src/db/pglite.ts`) may hand `.query()` SQL the scan cannot trace.
 */
export function scanSources(passThroughFiles: Iterable<string>): Scan {
  const passThrough = new Set(passThroughFiles);
  const all: Scan = { statements: [], opaque: [], passThroughUsed: new Set() };
  for (const path of sourceFiles(join(root, 'src'))) {
    const file = relative(root, path).split('\\').join('/');
    const one = scanFile(file, readFileSync(path, 'utf8'), passThrough);
    all.statements.push(...one.statements);
    all.opaque.push(...one.opaque);
    one.passThroughUsed.forEach((f) => all.passThroughUsed.add(f));
  }
  return all;
}

/** The statement on one line, as the failure messages and the exception snippets show it. */
export const oneLine = (sql: string) => sql.replace(/\s+/g, ' ').trim();
