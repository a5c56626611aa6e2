import type { FastifyError, FastifyInstance } from 'fastify';
import type { Deps } from '../deps.js';
import { errorStatus, logEscapedError } from '../http/errors.js';
import { apiErrorBody } from './errors.js';
import { registerApiRoutes } from './routes.js';

/** Where the app API lives (SPEC 5). */
export const apiPrefix = '/api/app/v1';

export function isApiPath(url: string): boolean {
  return url.startsWith(`${apiPrefix}/`) || url === apiPrefix || url.startsWith(`${apiPrefix}?`);
}

/**
 * The app API surface: JSON only (a form post, which any site can make a browser send, or plain
 * text gets 415), its routes, and JSON answers to unknown paths and to errors that escape a route.
 * Registered with the prefix, so all of this stays inside it.
 */
export async function registerApiSurface(api: FastifyInstance, deps: Deps): Promise<void> {
  api.removeContentTypeParser('application/x-www-form-urlencoded');
  api.removeContentTypeParser('text/plain');
  api.removeContentTypeParser('multipart/form-data');
  api.setErrorHandler(async (error: FastifyError, request, reply) => {
    const status = errorStatus(error);
    logEscapedError(request, error, status);
    if (status === 503) reply.header('retry-after', '30');
    return reply.code(status).send(apiErrorBody(status, error));
  });
  api.setNotFoundHandler(async (_request, reply) => reply.code(404).send({ error: 'not_found' }));
  registerApiRoutes(api, deps);
}
