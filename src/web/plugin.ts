import type { FastifyError, FastifyInstance } from 'fastify';
import type { Deps } from '../deps.js';
import { errorStatus, logEscapedError } from '../http/errors.js';
import { BadFormError } from '../http/form-body.js';
import { staffRoutes } from '../staff/routes.js';
import { brandFileRoutes } from './brand-files.js';
import { buildWebContext } from './context.js';
import { mountPage, sendPageResult } from './mount.js';
import type { PageRoute } from './page.js';
import { showDevOutbox } from './pages/dev-outbox.js';
import { notFoundPage } from './pages/errors.js';
import { errorPage, plainPage } from './plain-page.js';
import { webRoutes } from './routes.js';
import { serveStatic } from './static-files.js';

/**
 * The browser surface: every page of `routes.ts` and `staff/routes.ts`, the static files, and
 * its own answers to unknown paths and to errors that escape a page (an HTML page, never a stack).
 */
export async function registerWebSurface(app: FastifyInstance, deps: Deps): Promise<void> {
  app.setErrorHandler(async (error: FastifyError, request, reply) => {
    const status = errorStatus(error);
    logEscapedError(request, error, status);
    if (status === 503) reply.header('retry-after', '30');
    return reply.code(status).type('text/html; charset=utf-8').send(errorPage(status, error instanceof BadFormError ? error.message : null));
  });

  app.setNotFoundHandler(async (request, reply) => {
    if (!request.org) return reply.code(404).type('text/html; charset=utf-8').send(plainPage('Niet gevonden · Not found', ''));
    const ctx = await buildWebContext(deps, request.org, request, reply);
    return sendPageResult(reply, notFoundPage(ctx));
  });

  const routes: PageRoute[] = [...webRoutes, ...staffRoutes];
  // Only where mail really goes nowhere else: a staging server with SMTP never shows its mail here.
  if (!deps.config.production && deps.config.devOutbox) routes.push({ method: 'GET', path: '/dev/outbox', access: 'public', handler: showDevOutbox });
  for (const route of routes) mountPage(app, deps, route);
  app.get('/static/:file', serveStatic);
  // SPEC 6: each organization's colour, logo and favicon (/admin/branding).
  const brand = brandFileRoutes(deps);
  app.get('/brand.css', brand.stylesheet);
  app.get('/brand/logo', brand.logo);
  app.get('/brand/favicon', brand.favicon);
  app.get('/favicon.ico', brand.favicon);
}
