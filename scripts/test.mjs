#!/usr/bin/env node
// The one test command. Runs every *.test.ts under src/ and test/ with node's test runner (tsx
// loads TypeScript) on the embedded database. With DATABASE_URL set, the store and journey tests
// run a second time on that PostgreSQL. Browser journeys (test/browser/) need /usr/bin/chromium
// and skip themselves, saying so, where it is missing (unless REQUIRE_BROWSER=1, as in CI).
//   node scripts/test.mjs [--browser | --no-browser] [filter...]
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const args = process.argv.slice(2);
const onlyBrowser = args.includes('--browser');
const noBrowser = args.includes('--no-browser');
const filters = args.filter((a) => !a.startsWith('--'));

function walk(dir) {
  const out = [];
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) out.push(...walk(path));
    else if (path.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

const isBrowser = (f) => f.startsWith(join('test', 'browser'));
let files = [...walk('src'), ...walk('test')].sort();
if (onlyBrowser) files = files.filter(isBrowser);
if (noBrowser) files = files.filter((f) => !isBrowser(f));
if (filters.length) files = files.filter((f) => filters.some((x) => f.includes(x)));
if (files.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}

function run(label, testFiles, env) {
  console.log(`\n=== ${label}: ${testFiles.length} test files ===`);
  const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-reporter=spec', ...testFiles], {
    stdio: 'inherit',
    env: { NODE_ENV: 'test', ...env },
  });
  return result.status ?? 1;
}

const { DATABASE_URL, ...withoutDatabase } = process.env;
let status = run('embedded PostgreSQL (PGlite)', files, withoutDatabase);
if (DATABASE_URL) {
  const storeFiles = files.filter((f) => !isBrowser(f));
  if (storeFiles.length) status = run(`PostgreSQL at ${DATABASE_URL.replace(/\/\/[^@]*@/, '//')}`, storeFiles, { ...process.env }) || status;
} else {
  console.log('\nDATABASE_URL is not set: the PostgreSQL rerun of the store and journey tests was skipped.');
}
process.exit(status);
