// The SQL in src/: every literal that reads as SQL or is handed to .query(), found through the TypeScript parser.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = fileURLToPath(new URL('../..', import.meta.url));

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
