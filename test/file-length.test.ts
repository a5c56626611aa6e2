/**
 * Files stay small enough to read in one sitting (STYLE): no source or test file is longer than
 * 300 lines. The text catalogues — every page text and every e-mail in Dutch and English — are
 * lists, not logic, and are left out.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const maxLines = 300;
const catalogues = new Set(['src/web/messages.ts', 'src/messaging/email-texts-en.ts', 'src/messaging/email-texts-nl.ts']);

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return files(path);
    return /\.(ts|mjs|js|css)$/.test(path) ? [path] : [];
  });
}

test(`no source or test file is longer than ${maxLines} lines, the text catalogues aside`, () => {
  const long = ['src', 'test', 'tools', 'bench', 'scripts', 'static']
    .flatMap((dir) => files(join(root, dir)))
    .map((path) => ({ file: relative(root, path).split('\\').join('/'), lines: readFileSync(path, 'utf8').split('\n').length - 1 }))
    .filter(({ file, lines }) => lines > maxLines && !catalogues.has(file))
    .map(({ file, lines }) => `${file}: ${lines} lines`);
  assert.deepEqual(long, []);
});
