import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Deps } from '../deps.js';
import { brandStylesheet, brandStylesheetVersion, findFavicon, findLogo, type BrandFile } from '../flows/brand-look.js';

/**
 * An uploaded image is shown as an image, never run as a document: its own CSP forbids every
 * fetch and script (inline style only, which SVG drawings use) and sandboxes it; `nosniff` comes
 * with every answer.
 */
const imageContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; sandbox";
const yearLong = 'public, max-age=31536000, immutable';

/** A URL that names the current version is cached for a year; any other is checked again each time. */
function cacheFor(request: FastifyRequest, version: string): string {
  return (request.query as { v?: string }).v === version ? yearLong : 'no-cache';
}

export function brandFileRoutes(deps: Deps) {
  const sendImage = (request: FastifyRequest, reply: FastifyReply, file: BrandFile) =>
    reply
      .header('cache-control', cacheFor(request, file.digest))
      .header('content-security-policy', imageContentSecurityPolicy)
      .header('content-disposition', 'inline')
      .type(file.contentType)
      .send(file.data);
  return {
    async stylesheet(request: FastifyRequest, reply: FastifyReply) {
      const org = request.org;
      if (!org) return reply.code(404).type('text/plain').send('not found');
      return reply.header('cache-control', cacheFor(request, brandStylesheetVersion(org))).type('text/css; charset=utf-8').send(brandStylesheet(org));
    },
    async logo(request: FastifyRequest, reply: FastifyReply) {
      const logo = request.org ? await findLogo(deps, request.org) : null;
      if (!logo) return reply.code(404).type('text/plain').send('not found');
      return sendImage(request, reply, logo);
    },
    async favicon(request: FastifyRequest, reply: FastifyReply) {
      const org = request.org;
      if (!org) return reply.code(404).type('text/plain').send('not found');
      const favicon = await findFavicon(deps, org);
      return sendImage(request, reply, favicon);
    },
  };
}
