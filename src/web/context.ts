import { createHmac, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Account } from '../accounts/accounts.js';
import type { RequestContext } from '../audit/audit.js';
import type { Deps } from '../deps.js';
import { resumeBrowserSession, startBrowserSession } from '../flows/login/browser-session.js';
import type { Standing } from '../flows/login/standing.js';
import type { SessionTarget } from '../flows/session-target.js';
import { clientOf } from '../http/request-context.js';
import type { WebSession } from '../sessions/web-sessions.js';
import type { Locale, Organization } from '../tenants/organizations.js';
import { parseCookies, cookieName, serializeCookie } from './cookies.js';
import { isLocale, localeFromAcceptLanguage, translator, type Translate } from './i18n.js';

export const sessionCookie = 'ingang_session';
export const languageCookie = 'ingang_lang';
export const trustCookie = 'ingang_trust';

/** What every page handler knows about its request. */
export interface WebContext {
  org: Organization;
  locale: Locale;
  t: Translate;
  session: WebSession | null;
  standing: Standing;
  /** The account, only once the session is fully authenticated. */
  account: Account | null;
  client: RequestContext;
  /** This browser's trust cookie (SPEC 4.6), as it came. */
  trustCookieValue: string | undefined;
  /** The CSRF token of this session; only on requests that have a session (see ensureSession). */
  csrfToken(): string;
}

export function csrfTokenFor(secretKey: Buffer, session: WebSession): string {
  return createHmac('sha256', secretKey).update(`csrf:${session.tenantId}:${session.id}`).digest('base64url');
}

export function csrfTokenMatches(secretKey: Buffer, session: WebSession | null, token: string): boolean {
  if (!session) return false;
  const expected = Buffer.from(csrfTokenFor(secretKey, session));
  const given = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function chooseLocale(request: FastifyRequest, org: Organization, account: Account | null, secure: boolean): Locale {
  if (account?.locale) return account.locale;
  const query = request.query as Record<string, unknown> | undefined;
  if (isLocale(query?.lang)) return query.lang;
  const cookie = parseCookies(request.headers.cookie).get(cookieName(languageCookie, secure));
  if (isLocale(cookie)) return cookie;
  return localeFromAcceptLanguage(request.headers['accept-language']) ?? org.defaultLocale;
}

/**
 * A page that knows whose it is before they log in (the welcome link, issue 12 stumble 10) speaks
 * the language staff set for the account, unless the visitor just chose one with `?lang=`.
 */
export function speakAccountLanguage(ctx: WebContext, request: FastifyRequest, locale: Locale | null): void {
  const query = request.query as Record<string, unknown> | undefined;
  if (locale === null || isLocale(query?.lang)) return;
  ctx.locale = locale;
  ctx.t = translator(locale);
}

const isSecure = (deps: Deps) => deps.config.publicScheme === 'https';

export function setSessionCookie(reply: FastifyReply, deps: Deps, value: string | null): void {
  const secure = isSecure(deps);
  const cookie = value === null ? serializeCookie(sessionCookie, '', { secure, maxAgeSeconds: 0 }) : serializeCookie(sessionCookie, value, { secure });
  appendSetCookie(reply, cookie);
}

/** Remembers this browser for the account's code validity (SPEC 4.6); the record is revocable. */
export function setTrustCookie(reply: FastifyReply, deps: Deps, value: string): void {
  appendSetCookie(reply, serializeCookie(trustCookie, value, { secure: isSecure(deps), maxAgeSeconds: 30 * 86400 }));
}

export function appendSetCookie(reply: FastifyReply, cookie: string): void {
  const existing = reply.getHeader('set-cookie');
  const list = existing === undefined ? [] : Array.isArray(existing) ? existing.map(String) : [String(existing)];
  reply.header('set-cookie', [...list, cookie]);
}

/** A journey gave the session a new id (SECURITY 15): the browser gets the new cookie, the page the new id. */
export function adoptSession(reply: FastifyReply, deps: Deps, ctx: WebContext, renewed: { session?: WebSession; cookieValue: string | null }): void {
  if (renewed.cookieValue === null) return;
  setSessionCookie(reply, deps, renewed.cookieValue);
  if (renewed.session) ctx.session = renewed.session;
}

/**
 * The logged-in session a journey acts for; a session it renews gets its cookie at once, and the
 * rest of this request (a form shown again) its new id and CSRF token.
 */
export function sessionTargetOf(deps: Deps, ctx: WebContext, reply: FastifyReply, account: Account): SessionTarget {
  return { account, session: ctx.session!, renewed: (next) => adoptSession(reply, deps, ctx, next) };
}

/** Loads session, standing, language; a session whose absolute limit or account has gone ends here. */
export async function buildWebContext(deps: Deps, org: Organization, request: FastifyRequest, reply: FastifyReply): Promise<WebContext> {
  const secure = isSecure(deps);
  const cookies = parseCookies(request.headers.cookie);
  const trustCookieValue = cookies.get(cookieName(trustCookie, secure));
  const resumed = await resumeBrowserSession(deps, org, { session: cookies.get(cookieName(sessionCookie, secure)), trust: trustCookieValue });
  if (resumed.ended) setSessionCookie(reply, deps, null);
  const account = resumed.standing.kind === 'authenticated' ? resumed.standing.account : null;
  const query = request.query as Record<string, unknown> | undefined;
  if (isLocale(query?.lang)) appendSetCookie(reply, serializeCookie(languageCookie, query.lang, { secure, maxAgeSeconds: 365 * 24 * 3600 }));
  // Half-way in (code step, forced setup) the account is known too: its language holds there as well.
  const known = 'account' in resumed.standing ? resumed.standing.account : null;
  const locale = chooseLocale(request, org, known, secure);
  const context: WebContext = {
    org,
    locale,
    t: translator(locale),
    session: resumed.session,
    standing: resumed.standing,
    account,
    client: clientOf(request),
    trustCookieValue,
    csrfToken() {
      if (!context.session) throw new Error('csrfToken() needs a session: call ensureSession first');
      return csrfTokenFor(deps.config.secretKey, context.session);
    },
  };
  return context;
}

/** The account of a session that has passed the password step, whatever it must do next. */
export function standingAccount(ctx: WebContext): Account | null {
  return 'account' in ctx.standing ? ctx.standing.account : null;
}

/** Pages with a form need a session to bind the CSRF token to; made on first need, not on every visit. */
export async function ensureSession(deps: Deps, ctx: WebContext, reply: FastifyReply): Promise<WebSession> {
  if (ctx.session) return ctx.session;
  const created = await startBrowserSession(deps, ctx.org, ctx.client);
  setSessionCookie(reply, deps, created.cookieValue);
  ctx.session = created.session;
  return created.session;
}
