import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { projectRoot } from '../core/project-root.js';

/** The only files served from static/, read once at start. No directory is exposed. */
const files: Record<string, { type: string; body: Buffer }> = Object.fromEntries(
  [
    ['app.css', 'text/css; charset=utf-8', join('static', 'app.css')],
    ['password-strength.js', 'text/javascript; charset=utf-8', join('static', 'password-strength.js')],
    ['print.js', 'text/javascript; charset=utf-8', join('static', 'print.js')],
    ['passkeys.js', 'text/javascript; charset=utf-8', join('static', 'passkeys.js')],
    // SPEC 11: the SimpleWebAuthn browser library as published (its UMD bundle), served from here, not a CDN.
    ['simplewebauthn-browser.js', 'text/javascript; charset=utf-8', join('node_modules', '@simplewebauthn', 'browser', 'dist', 'bundle', 'index.umd.min.js')],
  ].map(([name, type, path]) => [name!, { type: type!, body: readFileSync(join(projectRoot, path!)) }]),
);

export async function serveStatic(request: FastifyRequest, reply: FastifyReply) {
  const name = (request.params as { file?: string }).file ?? '';
  const file = Object.prototype.hasOwnProperty.call(files, name) ? files[name] : undefined;
  if (!file) return reply.code(404).type('text/plain').send('not found');
  return reply.header('cache-control', 'public, max-age=3600').type(file.type).send(file.body);
}
