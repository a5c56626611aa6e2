import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config.js';
import { html } from '../core/html.js';
import type { Deps } from '../deps.js';
import { checkAccess } from './access.js';
import { buildWebContext, csrfTokenMatches, type WebContext } from './context.js';
import { BadFormError, field } from '../http/form-body.js';
import { renderPage } from './layout.js';
import type { PageRequest, PageResult, PageRoute } from './page.js';

/** Mounts one page: context, CSRF and origin check for posts, the access check, then the handler. */
export function mountPage(app: FastifyInstance, deps: Deps, route: PageRoute): void {
  app.route({
    method: route.method,
    url: route.path,
    handler: async (request, reply) => {
      const ctx = await buildWebContext(deps, request.org!, request, reply);
      const page: PageRequest = {
        deps,
        ctx,
        request,
        reply,
        body: route.method === 'POST' ? bodyFields(request.body) : {},
        params: (request.params ?? {}) as Record<string, string>,
        query: queryFields(request.query),
      };
      if (route.method === 'POST' && !isSameOriginPost(deps.config, request, ctx, page.body)) {
        // Logging out without any session has nothing to protect: just go to the login page.
        if (route.path === '/logout' && !ctx.session) return sendPageResult(reply, { redirect: '/login' });
        return sendPageResult(reply, forbiddenPage(ctx));
      }
      const denied = checkAccess(route, ctx, request);
      if (denied) return sendPageResult(reply, denied);
      return sendPageResult(reply, await route.handler(page));
    },
  });
}

function bodyFields(body: unknown): Record<string, string> {
  if (body === undefined || body === null) return {};
  if (typeof body !== 'object' || Array.isArray(body) || Buffer.isBuffer(body)) throw new BadFormError('expected a form');
  const fields = body as Record<string, unknown>;
  for (const value of Object.values(fields)) if (typeof value !== 'string') throw new BadFormError('every field must be text');
  return fields as Record<string, string>;
}

/** Query values as plain strings; a repeated or nested parameter is ignored rather than trusted. */
function queryFields(query: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (query && typeof query === 'object') {
    for (const [key, value] of Object.entries(query)) if (typeof value === 'string' && !value.includes('\u0000')) out[key] = value;
  }
  return out;
}

/**
 * CSRF (SECURITY 20): a state-changing request needs the session's token and must come from this
 * very origin. Sec-Fetch-Site decides where the browser sends it; otherwise Origin must be ours
 * (a sibling org's subdomain is another origin). A request with neither is refused.
 */
function isSameOriginPost(config: Config, request: FastifyRequest, ctx: WebContext, body: Record<string, string>): boolean {
  if (!csrfTokenMatches(config.secretKey, ctx.session, field(body, '_csrf'))) return false;
  const fetchSite = request.headers['sec-fetch-site'];
  if (typeof fetchSite === 'string') return fetchSite === 'same-origin';
  const origin = request.headers.origin;
  if (typeof origin !== 'string' || origin === 'null') return false;
  try {
    return new URL(origin).host.toLowerCase() === String(request.headers.host ?? '').toLowerCase();
  } catch {
    return false;
  }
}

function forbiddenPage(ctx: WebContext): PageResult {
  const body = html`<p>${ctx.t('error.csrf.text')}</p><p><a href="/">${ctx.t('nav.home')}</a></p>`;
  return { status: 403, html: renderPage(ctx, { title: ctx.t('error.csrf.title'), body }) };
}

export function sendPageResult(reply: FastifyReply, result: PageResult): FastifyReply {
  if ('redirect' in result) return reply.code(303).header('location', result.redirect).send();
  if ('json' in result) return reply.code(result.status ?? 200).type('application/json; charset=utf-8').send(result.json);
  if ('download' in result) {
    return reply
      .code(200)
      .type(result.download.contentType)
      .header('content-disposition', `attachment; filename="${result.download.filename.replace(/[^\w.-]/g, '_')}"`)
      .send(result.download.body);
  }
  return reply.code(result.status ?? 200).type('text/html; charset=utf-8').send(result.html);
}
