import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { html } from '../core/html.js';
import type { Deps } from '../deps.js';
import { logOut } from '../flows/login/browser-session.js';
import { openIdIssuer, serveOpenIdRequest } from '../flows/openid.js';
import { contentSecurityPolicy, setSecurityHeaders } from '../http/security-headers.js';
import { buildWebContext, sessionCookie, type WebContext } from '../web/context.js';
import { serializeCookie } from '../web/cookies.js';
import { renderPage } from '../web/layout.js';
import { continuePage } from '../web/pages/openid.js';

/** Longer than any real authorization request, far shorter than what would fill the payload store. */
const maxUrlLength = 4096;
/** What oidc-provider itself reads of a body at most. */
const maxBodyBytes = 56 * 1024;

/** The endpoints a browser visits (the rest are called by applications, with no cookie of Ingang's). */
const browserPath = /^\/oidc\/(auth|end-session)(\/|$)/;

/** Ingang's pages for the logout an application asks (RP-initiated logout). */
function logoutPages(ctx: WebContext) {
  const t = ctx.t;
  return {
    logoutConfirm({ action, xsrf, clientName }: { action: string; xsrf: string; clientName: string | null }) {
      const text = clientName ? t('openid.logout.text', { client: clientName, org: ctx.org.name }) : t('openid.logout.textNoClient', { org: ctx.org.name });
      const body = html`<p>${text}</p>
<form method="post" action="${action}" class="inline">
  <input type="hidden" name="xsrf" value="${xsrf}">
  <button type="submit" name="logout" value="yes">${t('openid.logout.yes')}</button>
  <button type="submit" class="secondary">${t('openid.logout.no')}</button>
</form>`;
      return renderPage(ctx, { title: t('openid.logout.title'), body });
    },
    contentSecurityPolicy,
    continueTo(url: string) {
      return continuePage(ctx, url).html;
    },
    loggedOut(_clientName: string | null) {
      return renderPage(ctx, { title: t('openid.loggedOut.title'), body: html`<p>${t('openid.loggedOut.text')}</p>` });
    },
  };
}

/**
 * The OpenID Connect surface (SPEC 10): discovery and every `/oidc/…` endpoint of the
 * organization's provider, which reads its own request bodies and writes its own answers. So this
 * context parses no body, and each request is handed over whole (`reply.hijack()`). The
 * interaction pages (`/oidc/interaction/…`) are the web surface's: the login is Ingang's journey.
 * On the endpoints a browser visits, the browser's Ingang login is read first: a provider session
 * counts only while that login lives, and the logout an application asks ends it.
 */
export async function registerOpenIdSurface(app: FastifyInstance, deps: Deps): Promise<void> {
  app.removeAllContentTypeParsers();
  // Leaves the body unread, for the provider.
  app.addContentTypeParser('*', (_request, _payload, done) => done(null, undefined));
  const refuse = (reply: FastifyReply, status: number, description: string) => {
    setSecurityHeaders(deps.config, reply);
    return reply.code(status).type('application/json; charset=utf-8').send({ error: 'invalid_request', error_description: description });
  };
  const forward = async (request: FastifyRequest, reply: FastifyReply) => {
    const org = request.org!;
    const path = request.url.split('?')[0]!;
    // Bad input gets a clear answer before the provider (SECURITY 24): no NUL reaches the
    // database, no request parameter is longer than any real one, no body larger than the
    // provider reads.
    if (/%00/.test(request.url)) return refuse(reply, 400, 'the request holds a NUL character');
    if (request.url.length > maxUrlLength) return refuse(reply, 414, 'the request address is too long');
    if (Number(request.headers['content-length'] ?? 0) > maxBodyBytes) return refuse(reply, 413, 'the request body is too large');
    // Only `response_mode=query`: form_post's page would need an inline script (SECURITY 21).
    const mode = (request.query as Record<string, unknown> | undefined)?.response_mode;
    if (mode !== undefined && mode !== 'query') return refuse(reply, 400, 'only response_mode=query is supported');
    // Every URL the provider writes (discovery, the logout form) is the issuer's own, whatever
    // Host or X-Forwarded-Host the request named (SECURITY 27): the tenant came from Host already.
    const issuer = openIdIssuer(deps, org);
    request.raw.headers.host = issuer.host;
    request.raw.headers['x-forwarded-proto'] = issuer.protocol.replace(':', '');
    delete request.raw.headers['x-forwarded-host'];
    const ctx = browserPath.test(path) ? await buildWebContext(deps, org, request, reply) : null;
    // The headers of every answer (SECURITY 21), Ingang's CSP included: the provider's pages here
    // are Ingang's own (logout), and its redirects carry no page.
    setSecurityHeaders(deps.config, reply);
    for (const [name, value] of Object.entries(reply.getHeaders())) if (value !== undefined) reply.raw.setHeader(name, value as string | string[]);
    reply.hijack();
    const login = ctx?.account && ctx.session ? { loginId: ctx.session.loginId, accountId: ctx.account.id } : null;
    await serveOpenIdRequest(deps, org, request.raw, reply.raw, {
      ip: request.ip,
      login,
      ...(ctx
        ? {
            pages: logoutPages(ctx),
            endLogin: async () => {
              if (!ctx.session) return [];
              await logOut(deps, org, ctx.client, ctx.session);
              return [serializeCookie(sessionCookie, '', { secure: deps.config.publicScheme === 'https', maxAgeSeconds: 0 })];
            },
          }
        : {}),
    });
  };
  app.route({ method: ['GET', 'POST', 'OPTIONS'], url: '/oidc/*', handler: forward });
  app.route({ method: ['GET', 'OPTIONS'], url: '/.well-known/openid-configuration', handler: forward });
}
