import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { projectRoot } from '../core/project-root.js';

const read = (...path: string[]) => readFileSync(join(projectRoot, ...path));

/**
 * The one stylesheet: the NL Design System (the Utrecht design tokens as custom properties and
 * its styles for plain HTML elements under `.utrecht-html`, both as published), the Noto Sans
 * font its theme names, and Ingang's own theme (static/app.css) last, on top of them.
 */
function stylesheet(): Buffer {
  const css = read('node_modules', '@fontsource-variable', 'noto-sans', 'wght.css').toString('utf8');
  const fontFaces = ['latin', 'latin-ext']
    .map((subset) => {
      const rule = new RegExp(`/\\* noto-sans-${subset}-wght-normal \\*/\\s*(@font-face \\{[^}]*\\})`).exec(css)?.[1];
      if (!rule) throw new Error(`@fontsource-variable/noto-sans has no ${subset} rule`);
      return rule.replace(/url\(\.\/files\/[^)]+\)/, `url(${fontUrls[subset]})`);
    })
    .join('\n');
  return Buffer.concat([
    read('node_modules', '@utrecht', 'design-tokens', 'dist', 'theme.css'),
    Buffer.from('\n'),
    read('node_modules', '@utrecht', 'component-library-css', 'dist', 'html.css'),
    Buffer.from(`\n${fontFaces}\n`),
    read('static', 'app.css'),
  ]);
}

interface StaticFile {
  type: string;
  body: Buffer;
  gzipped: Buffer | null;
  version: string;
}

function staticFile(type: string, body: Buffer): StaticFile {
  const compressible = !type.startsWith('font/');
  return { type, body, gzipped: compressible ? gzipSync(body, { level: 9 }) : null, version: createHash('sha256').update(body).digest('hex').slice(0, 12) };
}

const fontFiles: Record<string, Buffer> = {
  'noto-sans-latin.woff2': read('node_modules', '@fontsource-variable', 'noto-sans', 'files', 'noto-sans-latin-wght-normal.woff2'),
  'noto-sans-latin-ext.woff2': read('node_modules', '@fontsource-variable', 'noto-sans', 'files', 'noto-sans-latin-ext-wght-normal.woff2'),
};
const fonts = Object.fromEntries(Object.entries(fontFiles).map(([name, body]) => [name, staticFile('font/woff2', body)]));
const fontUrls: Record<string, string> = {
  latin: `/static/noto-sans-latin.woff2?v=${fonts['noto-sans-latin.woff2']!.version}`,
  'latin-ext': `/static/noto-sans-latin-ext.woff2?v=${fonts['noto-sans-latin-ext.woff2']!.version}`,
};

/** The only files served from static/, read once at start. No directory is exposed. */
const files: Record<string, StaticFile> = {
  ...fonts,
  'app.css': staticFile('text/css; charset=utf-8', stylesheet()),
  'password-strength.js': staticFile('text/javascript; charset=utf-8', read('static', 'password-strength.js')),
  'print.js': staticFile('text/javascript; charset=utf-8', read('static', 'print.js')),
  'passkeys.js': staticFile('text/javascript; charset=utf-8', read('static', 'passkeys.js')),
  // SPEC 11: the SimpleWebAuthn browser library as published (its UMD bundle), served from here, not a CDN.
  'simplewebauthn-browser.js': staticFile('text/javascript; charset=utf-8', read('node_modules', '@simplewebauthn', 'browser', 'dist', 'bundle', 'index.umd.min.js')),
};

/** A static file's address with its version: cached for a year, fetched anew when it changes. */
export function staticUrl(name: keyof typeof files & string): string {
  const file = files[name];
  if (!file) throw new Error(`no static file ${name}`);
  return `/static/${name}?v=${file.version}`;
}

export async function serveStatic(request: FastifyRequest, reply: FastifyReply) {
  const name = (request.params as { file?: string }).file ?? '';
  const file = Object.prototype.hasOwnProperty.call(files, name) ? files[name] : undefined;
  if (!file) return reply.code(404).type('text/plain').send('not found');
  const current = (request.query as { v?: string }).v === file.version;
  reply.header('cache-control', current ? 'public, max-age=31536000, immutable' : 'public, max-age=300').header('vary', 'accept-encoding').type(file.type);
  if (file.gzipped && /\bgzip\b/.test(String(request.headers['accept-encoding'] ?? ''))) return reply.header('content-encoding', 'gzip').send(file.gzipped);
  return reply.send(file.body);
}
