import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { projectRoot } from '../core/project-root.js';

/** The only files served from static/, read once at start. No directory is exposed. */
const files: Record<string, { type: string; body: Buffer }> = Object.fromEntries(
  [
    ['app.css', 'text/css; charset=utf-8'],
    ['password-strength.js', 'text/javascript; charset=utf-8'],
    ['print.js', 'text/javascript; charset=utf-8'],
  ].map(([name, type]) => [name!, { type: type!, body: readFileSync(join(projectRoot, 'static', name!)) }]),
);

export async function serveStatic(request: FastifyRequest, reply: FastifyReply) {
  const name = (request.params as { file?: string }).file ?? '';
  const file = Object.prototype.hasOwnProperty.call(files, name) ? files[name] : undefined;
  if (!file) return reply.code(404).type('text/plain').send('not found');
  return reply.header('cache-control', 'public, max-age=3600').type(file.type).send(file.body);
}
