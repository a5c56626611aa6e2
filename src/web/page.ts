import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Deps } from '../deps.js';
import type { WebContext } from './context.js';

/** What a page handler answers: a page (with a status), a 303 redirect or a file to download. */
export type PageResult =
  | { html: string; status?: number }
  /** For the few scripts of a page (the strength hint): JSON, never account data. */
  | { json: Record<string, unknown>; status?: number }
  | { redirect: string }
  | { download: { body: string; contentType: string; filename: string } };

export interface PageRequest {
  deps: Deps;
  ctx: WebContext;
  request: FastifyRequest;
  reply: FastifyReply;
  /** Parsed form fields (POST only; empty for GET). */
  body: Record<string, string>;
  params: Record<string, string>;
  query: Record<string, string>;
}

export type PageHandler = (page: PageRequest) => Promise<PageResult>;

/**
 * Who may open a page. Checked once by the router, from the session's standing:
 * `second_factor` pages only while a code is due, `two_factor_setup` while setting it up (forced
 * or not), `recovery_codes` while new codes wait to be confirmed as stored.
 */
export type Access = 'public' | 'authenticated' | 'staff' | 'admin' | 'second_factor' | 'two_factor_setup' | 'recovery_codes';

export interface PageRoute {
  method: 'GET' | 'POST';
  path: string;
  access: Access;
  handler: PageHandler;
}
