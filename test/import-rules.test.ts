/**
 * The layers of src/ (README "Architecture"), checked on every import the way the SQL tenancy
 * test checks every query:
 *
 *   core      src/core, src/db, src/config.ts, src/deps.ts     imports only core
 *   modules   tenants, accounts, sessions, audit, messaging,     imports core and modules: each
 *             jobs, factors, devices                             owns its tables (table-owners.test)
 *   flows     src/flows: the journeys                            imports core, modules, flows
 *   http      src/http: plumbing every surface shares           imports core and modules
 *   surfaces  src/web + src/staff + src/openid (the browser's),  values only from flows, http, core
 *             src/api
 *                                                                without SQL, and their own surface
 *   assembly  app.ts, main.ts, cli.ts, demo.ts, operations.ts,   anything
 *             mail-setup.ts
 *
 * A surface parses its input, calls one journey and maps the outcome; it never imports a factor,
 * a session store, an audit writer or anything else that runs SQL. `import type` is free (it
 * leaves nothing at run time), except that the app API takes nothing at all from the web surface.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = fileURLToPath(new URL('..', import.meta.url));

type Layer = 'core' | 'modules' | 'flows' | 'http' | 'surface' | 'assembly';

const moduleDirs = ['tenants', 'accounts', 'sessions', 'audit', 'messaging', 'jobs', 'factors', 'devices', 'oidc'];
const assemblyFiles = ['app.ts', 'main.ts', 'cli.ts', 'demo.ts', 'operations.ts', 'mail-setup.ts'];

/** The layer of a file under src/, from its path alone; null for a path the layers do not name. */
export function layerOf(file: string): Layer | null {
  const path = file.replace(/^src\//, '');
  const top = path.split('/')[0]!;
  if (top === 'core' || top === 'db' || path === 'config.ts' || path === 'deps.ts') return 'core';
  if (moduleDirs.includes(top)) return 'modules';
  if (top === 'flows') return 'flows';
  if (top === 'http') return 'http';
  if (top === 'web' || top === 'staff' || top === 'api' || top === 'openid') return 'surface';
  if (assemblyFiles.includes(path)) return 'assembly';
  return null;
}

/** The browser's pages live in web/ and staff/, with the provider's browser endpoints in openid/; the app API in api/. */
const surfaceOf = (file: string) => {
  const top = file.replace(/^src\//, '').split('/')[0]!;
  return top === 'staff' || top === 'openid' ? 'web' : top;
};

export interface ImportEdge {
  from: string;
  to: string;
  typeOnly: boolean;
}

/**
 * Why an import breaks the layers, or null. `runsSql` tells whether the imported file calls
 * `.query()` itself (a store): no surface may import one.
 */
export function importProblem(edge: ImportEdge, runsSql: (file: string) => boolean): string | null {
  const from = layerOf(edge.from);
  const to = layerOf(edge.to);
  if (!edge.to.startsWith('src/')) return null;
  if (from === null) return `${edge.from} is in no layer: name its layer in test/import-rules.test.ts`;
  if (to === null) return `${edge.to} is in no layer: name its layer in test/import-rules.test.ts`;
  if (from === 'surface' && surfaceOf(edge.from) === 'api' && surfaceOf(edge.to) === 'web') return 'the app API imports nothing from the web surface';
  if (edge.typeOnly || from === 'assembly') return null;
  const allowed: Record<Layer, Layer[]> = {
    core: ['core'],
    modules: ['core', 'modules'],
    flows: ['core', 'modules', 'flows'],
    http: ['core', 'modules', 'http'],
    surface: ['core', 'http', 'flows', 'surface'],
    assembly: [],
  };
  if (!allowed[from].includes(to)) return `a ${from} file imports a ${to} file`;
  if (from === 'surface' && to === 'core' && runsSql(edge.to)) return 'a surface imports a module that runs SQL (call a journey instead)';
  if (from === 'surface' && to === 'surface' && surfaceOf(edge.from) !== surfaceOf(edge.to)) return `the ${surfaceOf(edge.from)} surface imports the ${surfaceOf(edge.to)} surface`;
  return null;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') && !path.endsWith('.test.ts') ? [path] : [];
  });
}

const repoPath = (path: string) => relative(root, path).split('\\').join('/');

function importsOf(path: string): ImportEdge[] {
  const text = readFileSync(path, 'utf8');
  const sf = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true);
  const edges: ImportEdge[] = [];
  const add = (specifier: string, typeOnly: boolean) => {
    if (!specifier.startsWith('.')) return;
    edges.push({ from: repoPath(path), to: repoPath(resolve(dirname(path), specifier.replace(/\.js$/, '.ts'))), typeOnly });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) add(node.moduleSpecifier.text, node.importClause?.isTypeOnly ?? false);
    else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) add(node.moduleSpecifier.text, node.isTypeOnly);
    else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments[0] && ts.isStringLiteral(node.arguments[0])) add(node.arguments[0].text, false);
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return edges;
}

const runsSqlCache = new Map<string, boolean>();
function runsSql(file: string): boolean {
  if (!runsSqlCache.has(file)) runsSqlCache.set(file, /\.query\s*[<(]/.test(readFileSync(join(root, file), 'utf8')));
  return runsSqlCache.get(file)!;
}

test('the rules catch what they should, and pass what they should', () => {
  const noSql = () => false;
  const bad: ImportEdge[] = [
    { from: 'src/web/pages/login.ts', to: 'src/factors/password/attempts.ts', typeOnly: false },
    { from: 'src/web/pages/login.ts', to: 'src/sessions/web-sessions.ts', typeOnly: false },
    { from: 'src/staff/audit-page.ts', to: 'src/audit/audit.ts', typeOnly: false },
    { from: 'src/api/routes.ts', to: 'src/web/context.ts', typeOnly: false },
    { from: 'src/api/routes.ts', to: 'src/web/context.ts', typeOnly: true },
    { from: 'src/flows/welcome.ts', to: 'src/web/i18n.ts', typeOnly: false },
    { from: 'src/accounts/accounts.ts', to: 'src/flows/step-up.ts', typeOnly: false },
    { from: 'src/core/token.ts', to: 'src/accounts/accounts.ts', typeOnly: false },
    { from: 'src/web/pages/login.ts', to: 'src/api/errors.ts', typeOnly: false },
    { from: 'src/brand-new/thing.ts', to: 'src/core/html.ts', typeOnly: false },
  ];
  for (const edge of bad) assert.notEqual(importProblem(edge, noSql), null, `${edge.from} → ${edge.to}`);
  assert.notEqual(importProblem({ from: 'src/web/pages/login.ts', to: 'src/core/rate-limit.ts', typeOnly: false }, () => true), null, 'a core store');
  const good: ImportEdge[] = [
    { from: 'src/web/pages/login.ts', to: 'src/flows/login/password-step.ts', typeOnly: false },
    { from: 'src/web/pages/login.ts', to: 'src/sessions/web-sessions.ts', typeOnly: true },
    { from: 'src/web/pages/login.ts', to: 'src/core/html.ts', typeOnly: false },
    { from: 'src/staff/account-pages.ts', to: 'src/web/layout.ts', typeOnly: false },
    { from: 'src/api/routes.ts', to: 'src/http/request-context.ts', typeOnly: false },
    { from: 'src/flows/welcome.ts', to: 'src/accounts/link-tokens.ts', typeOnly: false },
    { from: 'src/factors/second-factor/check.ts', to: 'src/accounts/failure-counters.ts', typeOnly: false },
    { from: 'src/app.ts', to: 'src/tenants/organizations.ts', typeOnly: false },
  ];
  for (const edge of good) assert.equal(importProblem(edge, noSql), null, `${edge.from} → ${edge.to}`);
});

test('every import in src/ keeps to the layers: surfaces call journeys, never stores', () => {
  const problems: string[] = [];
  for (const path of sourceFiles(join(root, 'src'))) {
    for (const edge of importsOf(path)) {
      const problem = importProblem(edge, runsSql);
      if (problem) problems.push(`${edge.from} → ${edge.to}: ${problem}`);
    }
  }
  assert.deepEqual(problems, []);
});
