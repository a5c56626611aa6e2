/**
 * Splits a migration file into its statements, on `;` outside comments (`--` to the end of the
 * line, nested block comments), string literals ('…' with '' inside, E'…' with backslash escapes),
 * quoted identifiers ("…"), dollar-quoted bodies ($$…$$, $tag$…$tag$) and parentheses (a rule's
 * `DO (a; b)`); a `BEGIN ATOMIC` body is refused (its inner ; cannot be told apart). Each statement is
 * returned trimmed, comments kept; one with nothing but comments and space is dropped. Citus sends
 * DDL to its workers one statement at a time (SPEC 9), so the migration runner sends them so.
 */
export function splitStatements(sql: string): string[] {
  const statements: string[] = [];
  let start = 0;
  let code = false;
  for (const piece of pieces(sql)) {
    if (piece.kind === 'end') {
      if (code) statements.push(sql.slice(start, piece.from).trim());
      start = piece.to;
      code = false;
    } else if (piece.kind !== 'comment' && sql.slice(piece.from, piece.to).trim() !== '') code = true;
  }
  if (code) statements.push(sql.slice(start).trim());
  return statements;
}

/** The statement without its comments (for checks that read its words); strings and bodies stay. */
export function stripComments(statement: string): string {
  return pieces(statement)
    .map((p) => (p.kind === 'comment' ? ' ' : statement.slice(p.from, p.to)))
    .join('');
}

type Piece = { kind: 'code' | 'comment' | 'quoted' | 'end'; from: number; to: number };

/** The text cut into code, comments, quoted text (strings, names, dollar bodies) and statement ends. */
function pieces(sql: string): Piece[] {
  const out: Piece[] = [];
  let i = 0;
  let depth = 0;
  let codeFrom = 0;
  const cut = (kind: Piece['kind'], from: number, to: number) => {
    if (codeFrom < from) out.push({ kind: 'code', from: codeFrom, to: from });
    out.push({ kind, from, to });
    codeFrom = to;
    i = to;
  };
  while (i < sql.length) {
    const c = sql[i]!;
    const next = sql[i + 1];
    if (c === '-' && next === '-') {
      const end = sql.indexOf('\n', i);
      cut('comment', i, end === -1 ? sql.length : end);
    } else if (c === '/' && next === '*') {
      cut('comment', i, endOfBlockComment(sql, i));
    } else if (c === "'") {
      const escapes = i > 0 && /[eE]/.test(sql[i - 1]!) && (i < 2 || !/[\w$]/.test(sql[i - 2]!));
      cut('quoted', i, endOfQuoted(sql, i, "'", escapes));
    } else if (c === '"') {
      cut('quoted', i, endOfQuoted(sql, i, '"', false));
    } else if (c === '$' && (i === 0 || !/[\w$]/.test(sql[i - 1]!)) && /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.test(sql.slice(i, i + 65))) {
      const tag = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(i, i + 65))![0];
      const close = sql.indexOf(tag, i + tag.length);
      if (close === -1) throw new Error(`unterminated dollar-quoted body ${tag} in a migration`);
      cut('quoted', i, close + tag.length);
    } else if (c === ';' && depth === 0) {
      cut('end', i, i + 1);
    } else {
      // A ; inside parentheses (a rule's `DO (a; b)`) ends no statement.
      if (c === '(') depth++;
      else if (c === ')') depth = Math.max(0, depth - 1);
      else if ((c === 'B' || c === 'b') && /^BEGIN\s+ATOMIC\b/i.test(sql.slice(i, i + 20)) && (i === 0 || !/\w/.test(sql[i - 1]!))) {
        throw new Error('a BEGIN ATOMIC function body in a migration: write the body between $$ instead, which can be split safely');
      }
      i++;
    }
  }
  if (codeFrom < sql.length) out.push({ kind: 'code', from: codeFrom, to: sql.length });
  return out;
}

function endOfBlockComment(sql: string, from: number): number {
  let depth = 0;
  let i = from;
  while (i < sql.length) {
    if (sql[i] === '/' && sql[i + 1] === '*') {
      depth++;
      i += 2;
    } else if (sql[i] === '*' && sql[i + 1] === '/') {
      depth--;
      i += 2;
      if (depth === 0) return i;
    } else i++;
  }
  throw new Error('unterminated block comment in a migration');
}

function endOfQuoted(sql: string, from: number, quote: string, backslashEscapes: boolean): number {
  let i = from + 1;
  while (i < sql.length) {
    if (backslashEscapes && sql[i] === '\\') i += 2;
    else if (sql[i] === quote && sql[i + 1] === quote) i += 2;
    else if (sql[i] === quote) return i + 1;
    else i++;
  }
  throw new Error(`unterminated ${quote === "'" ? 'string' : 'quoted identifier'} in a migration`);
}
