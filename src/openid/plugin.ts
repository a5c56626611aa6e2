import type { FastifyInstance } from 'fastify';
import type { Deps } from '../deps.js';
import { serveOpenIdRequest } from '../flows/openid.js';

/**
 * The OpenID Connect surface (SPEC 10): discovery and every `/oidc/…` endpoint of the
 * organization's provider, which reads its own request bodies and writes its own answers. So this
 * context parses no body, and each request is handed over whole (`reply.hijack()`). The
 * interaction pages (`/oidc/interaction/…`) are the web surface's: the login is Ingang's journey.
 */
export async function registerOpenIdSurface(app: FastifyInstance, deps: Deps): Promise<void> {
  app.removeAllContentTypeParsers();
  // Leaves the body unread, for the provider.
  app.addContentTypeParser('*', (_request, _payload, done) => done(null, undefined));
  const forward = async (request: import('fastify').FastifyRequest, reply: import('fastify').FastifyReply) => {
    const org = request.org!;
    // The headers of every answer (SECURITY 21) but the CSP: the provider's own pages (a form
    // posted to the application, the logout confirmation) post to other origins and script.
    reply.raw.setHeader('x-frame-options', 'DENY');
    reply.raw.setHeader('x-content-type-options', 'nosniff');
    reply.raw.setHeader('referrer-policy', 'no-referrer');
    if (deps.config.publicScheme === 'https') reply.raw.setHeader('strict-transport-security', 'max-age=31536000; includeSubDomains');
    reply.hijack();
    await serveOpenIdRequest(deps, org, request.raw, reply.raw, request.ip);
  };
  app.route({ method: ['GET', 'POST', 'OPTIONS'], url: '/oidc/*', handler: forward });
  app.route({ method: ['GET', 'OPTIONS'], url: '/.well-known/openid-configuration', handler: forward });
}
