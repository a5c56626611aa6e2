import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Config } from './config.js';
import type { Clock } from './core/clock.js';
import { escapeHtml } from './core/html.js';
import type { RandomSource } from './core/random.js';
import { DatabaseUnavailableError, type Db } from './db/db.js';
import type { Deps } from './deps.js';
import { emailJobHandler, emailJobKind } from './flows/outgoing-mail.js';
import { passwordResetJobHandler, passwordResetJobKind } from './flows/password-reset.js';
import { registrationJobHandler, registrationJobKind } from './flows/registration.js';
import { createJobWorker, type JobWorker } from './jobs/worker.js';
import type { MailTransport } from './messaging/mail-transport.js';
import type { SmsTransport } from './messaging/sms-transport.js';
import { staffRoutes } from './staff/routes.js';
import { findOrganizationByHost, findOrganizationByTenantId, type Organization } from './tenants/organizations.js';
import { buildWebContext, csrfTokenMatches, type WebContext } from './web/context.js';
import { BadFormError, field, parseFormBody } from './web/form-body.js';
import { renderPage } from './web/layout.js';
import type { PageRequest, PageResult, PageRoute } from './web/page.js';
import { showDevOutbox } from './web/pages/dev-outbox.js';
import { notFoundPage } from './web/pages/errors.js';
import { webRoutes } from './web/routes.js';
import { serveStatic } from './web/static-files.js';
import { html } from './core/html.js';
import { registerOperationsRoutes, countRequest } from './operations.js';
import { apiPrefix, InvalidRequestError, registerApiRoutes } from './api/routes.js';

declare module 'fastify' {
  interface FastifyRequest {
    org: Organization | null;
    web: WebContext | null;
  }
}

export interface AppOptions {
  config: Config;
  db: Db;
  clock: Clock;
  random: RandomSource;
  mail: MailTransport;
  sms: SmsTransport | null;
  /** The organizations this instance's job worker serves; all when absent. */
  jobScope?: () => readonly string[];
  /** false in tests; otherwise pino JSON lines, to standard output or the given stream. */
  logger: boolean | NodeJS.WritableStream;
}

export interface BuiltApp {
  app: FastifyInstance;
  deps: Deps;
  jobs: JobWorker;
}

/** Paths that answer on any host, also one that is no organization's (SPEC 9). */
const hostlessPaths = new Set(['/healthz', '/readyz', '/metrics']);

/** Tokens in paths never reach the logs. */
function redactUrl(url: string): string {
  return url.replace(/\/(welcome|password\/reset)\/[^/?#]+/g, '/$1/[redacted]');
}

const maxBodyBytes = 64 * 1024;

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

function trustHops(hops: number) {
  return (_address: string, hop: number) => hop < hops;
}

export async function buildApp(options: AppOptions): Promise<BuiltApp> {
  const { config } = options;
  const app = Fastify({
    logger: options.logger
      ? {
          level: config.logLevel,
          ...(options.logger === true ? {} : { stream: options.logger }),
          redact: { paths: ['req.headers.cookie', 'req.headers.authorization', 'res.headers["set-cookie"]', '*.password', '*.token', '*.secret'], censor: '[redacted]' },
          serializers: {
            req: (req: FastifyRequest) => ({ method: req.method, url: redactUrl(req.url), host: req.headers.host, remoteAddress: req.ip }),
          },
        }
      : false,
    // A hop count trusts exactly that many proxies next to us (proxy-addr semantics).
    trustProxy: typeof config.trustProxy === 'number' ? trustHops(config.trustProxy) : config.trustProxy,
    bodyLimit: maxBodyBytes,
    requestIdHeader: false,
    genReqId: () => options.random.uuid(),
  });
  const deps: Deps = { config, db: options.db, clock: options.clock, random: options.random, mail: options.mail, sms: options.sms, log: app.log };
  const findOrg = (tenantId: string) => findOrganizationByTenantId(deps.db, tenantId);
  const jobs = createJobWorker(deps.db, deps.clock, app.log, {
    [emailJobKind]: emailJobHandler(deps),
    [passwordResetJobKind]: passwordResetJobHandler(deps, findOrg),
    [registrationJobKind]: registrationJobHandler(deps, findOrg),
  }, options.jobScope);

  app.decorateRequest('org', null);
  app.decorateRequest('web', null);

  app.removeContentTypeParser('application/x-www-form-urlencoded');
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'buffer', bodyLimit: maxBodyBytes }, (request, body, done) => {
    // The app API takes JSON only: a form post (which any site can make a browser send) is refused.
    if (isApiPath(request.url)) return done(Object.assign(new Error('send application/json'), { statusCode: 415 }), undefined);
    try {
      done(null, parseFormBody(body as Buffer));
    } catch (error) {
      done(error as Error, undefined);
    }
  });
  // JSON with the same strictness as forms: invalid UTF-8 is refused, not repaired (SECURITY 24).
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit: maxBodyBytes }, (_request, body, done) => {
    let text: string;
    try {
      text = strictUtf8.decode(body as Buffer);
    } catch {
      return done(new BadFormError('the body is not valid UTF-8'), undefined);
    }
    try {
      done(null, text.length === 0 ? undefined : JSON.parse(text));
    } catch {
      done(new BadFormError('the body is not valid JSON'), undefined);
    }
  });

  app.addHook('onSend', async (request, reply, payload) => {
    setSecurityHeaders(config, reply);
    reply.header('x-request-id', String(request.id));
    countRequest(reply.statusCode);
    return payload;
  });

  // The organization comes from the Host header alone; an unknown host gets a 404 and nothing else runs.
  app.addHook('onRequest', async (request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    if (hostlessPaths.has(path)) return;
    request.org = await findOrganizationByHost(deps.db, request.headers.host, config.baseDomain);
    if (!request.org) {
      if (isApiPath(path)) return reply.code(404).send({ error: 'not_found' });
      reply.code(404).type('text/html; charset=utf-8').send(plainPage('Niet gevonden · Not found', 'Dit adres hoort bij geen enkel platform. · This address belongs to no platform.'));
      return reply;
    }
  });

  app.setErrorHandler(async (error: FastifyError, request, reply) => {
    const status = errorStatus(error);
    if (status >= 500 && !(error instanceof DatabaseUnavailableError)) request.log.error({ err: error }, 'request failed');
    else request.log.warn({ err: { message: error.message, code: error.code } }, 'request refused');
    if (status === 503) reply.header('retry-after', '30');
    if (isApiPath(request.url)) return reply.code(status).send(apiError(status, error));
    const message = errorMessage(status, error);
    reply.code(status).type('text/html; charset=utf-8');
    return plainPage(message.title, message.text);
  });

  app.setNotFoundHandler(async (request, reply) => {
    if (isApiPath(request.url)) return reply.code(404).send({ error: 'not_found' });
    if (!request.org) return reply.code(404).type('text/html; charset=utf-8').send(plainPage('Niet gevonden · Not found', ''));
    const ctx = await buildWebContext(deps, request.org, request, reply);
    const result = notFoundPage(ctx);
    return sendPageResult(reply, result);
  });

  const routes: PageRoute[] = [...webRoutes, ...staffRoutes];
  // Only where mail really goes nowhere else: a staging server with SMTP never shows its mail here.
  if (!config.production && config.devOutbox) routes.push({ method: 'GET', path: '/dev/outbox', access: 'public', handler: showDevOutbox });
  for (const route of routes) mountPage(app, deps, route);
  app.get('/static/:file', serveStatic);
  registerApiRoutes(app, deps);
  registerOperationsRoutes(app, deps);

  return { app, deps, jobs };
}

function mountPage(app: FastifyInstance, deps: Deps, route: PageRoute): void {
  app.route({
    method: route.method,
    url: route.path,
    handler: async (request, reply) => {
      const org = request.org!;
      const ctx = await buildWebContext(deps, org, request, reply);
      request.web = ctx;
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

/** Where a session that is not yet fully in must go next, from its standing. */
function nextStepPath(ctx: WebContext): string | null {
  switch (ctx.standing.kind) {
    case 'needs_second_factor':
      return '/login/code';
    case 'needs_two_factor_setup':
      return '/account/2fa/setup';
    case 'needs_recovery_codes_stored':
      return '/account/2fa/recovery-codes';
    default:
      return null;
  }
}

/** One place decides who may open what; pages never repeat these guards. */
function checkAccess(route: PageRoute, ctx: WebContext, request: FastifyRequest): PageResult | null {
  const standing = ctx.standing;
  switch (route.access) {
    case 'public':
      return null;
    case 'second_factor':
      return standing.kind === 'needs_second_factor' ? null : { redirect: standing.kind === 'authenticated' ? '/' : '/login' };
    case 'two_factor_setup':
      if (standing.kind === 'authenticated' || standing.kind === 'needs_two_factor_setup') return null;
      break;
    case 'recovery_codes':
      if (standing.kind === 'authenticated' || standing.kind === 'needs_recovery_codes_stored') return null;
      break;
    default:
      if (standing.kind === 'authenticated') {
        const role = standing.account.role;
        if (route.access === 'staff' && role === 'client') return notFoundPage(ctx);
        if (route.access === 'admin' && role !== 'admin') return notFoundPage(ctx);
        return null;
      }
  }
  // Staff pages do not reveal that they exist to anyone without a staff role, also halfway
  // through a login (SPEC 6); a staff member halfway through goes on to their next step.
  const role = 'account' in standing ? standing.account.role : null;
  if (route.access === 'staff' && (role === null || role === 'client')) return notFoundPage(ctx);
  if (route.access === 'admin' && role !== 'admin') return notFoundPage(ctx);
  const next = nextStepPath(ctx);
  if (next) return { redirect: next };
  const returnTo = route.method === 'GET' ? `?returnTo=${encodeURIComponent(request.url)}` : '';
  return { redirect: `/login${returnTo}` };
}

function sendPageResult(reply: FastifyReply, result: PageResult): FastifyReply {
  if ('redirect' in result) return reply.code(303).header('location', result.redirect).send();
  if ('download' in result) {
    return reply
      .code(200)
      .type(result.download.contentType)
      .header('content-disposition', `attachment; filename="${result.download.filename.replace(/[^\w.-]/g, '_')}"`)
      .send(result.download.body);
  }
  return reply.code(result.status ?? 200).type('text/html; charset=utf-8').send(result.html);
}

/** SECURITY 21: on every response, errors included. */
function setSecurityHeaders(config: Config, reply: FastifyReply): void {
  reply.header(
    'content-security-policy',
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; object-src 'none'; base-uri 'none'",
  );
  reply.header('x-frame-options', 'DENY');
  reply.header('x-content-type-options', 'nosniff');
  // Links carry tokens in their path: no page ever sends its address on as a referrer.
  reply.header('referrer-policy', 'no-referrer');
  if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
  if (config.publicScheme === 'https') reply.header('strict-transport-security', 'max-age=31536000; includeSubDomains');
}

function isApiPath(url: string): boolean {
  return url.startsWith(`${apiPrefix}/`) || url === apiPrefix;
}

/** The JSON error of the app API (SPEC 5: `{"error": "<code>"}`), with a clear message for bad input. */
function apiError(status: number, error: FastifyError): Record<string, string> {
  switch (status) {
    case 400:
      return { error: 'invalid_request', message: error instanceof InvalidRequestError || error instanceof BadFormError ? error.message : 'the body is not valid JSON of the expected shape' };
    case 413:
      return { error: 'payload_too_large', message: 'the body is larger than 64 KiB' };
    case 415:
      return { error: 'unsupported_media_type', message: 'send application/json' };
    case 503:
      return { error: 'service_unavailable', message: 'try again in a minute; nothing was changed' };
    default:
      return status < 500 ? { error: 'request_refused' } : { error: 'internal_error' };
  }
}

function errorStatus(error: FastifyError): number {
  if (error instanceof DatabaseUnavailableError || isDatabaseDown(error)) return 503;
  if (error instanceof BadFormError) return 400;
  const status = error.statusCode ?? 500;
  return status >= 400 && status < 600 ? status : 500;
}

function isDatabaseDown(error: unknown): boolean {
  const message = error instanceof Error ? error.message : '';
  return /PGlite is closed|database is closed|ECONNREFUSED/i.test(message);
}

function errorMessage(status: number, error: FastifyError): { title: string; text: string } {
  switch (status) {
    case 400:
      return { title: 'Ongeldig verzoek · Bad request', text: error instanceof BadFormError ? error.message : 'The request could not be read.' };
    case 413:
      return { title: 'Te groot · Too large', text: 'Het verzoek is groter dan 64 KiB. · The request is larger than 64 KiB.' };
    case 415:
      return { title: 'Niet ondersteund · Unsupported', text: 'Dit soort inhoud wordt niet geaccepteerd. · This content type is not accepted.' };
    case 503:
      return { title: 'Tijdelijk niet beschikbaar · Temporarily unavailable', text: 'Probeer het over een minuut opnieuw. Er is niets gewijzigd. · Please try again in a minute. Nothing was changed.' };
    default:
      return status < 500
        ? { title: `Fout ${status} · Error ${status}`, text: '' }
        : { title: 'Er ging iets mis · Something went wrong', text: 'Probeer het later opnieuw. · Please try again later.' };
  }
}

/** A minimal bilingual page for answers given before an organization or language is known. */
function plainPage(title: string, text: string): string {
  return `<!doctype html><html lang="nl"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)}</title></head><body><main id="main"><h1>${escapeHtml(title)}</h1>${text ? `<p>${escapeHtml(text)}</p>` : ''}</main></body></html>`;
}
