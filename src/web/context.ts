import { createHmac, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { findAccountById, type Account } from '../accounts/accounts.js';
import { findActiveFactor } from '../factors/second-factor/store.js';
import { isBrowserTrusted } from '../factors/trusted-browser/store.js';
import type { RequestContext } from '../audit/audit.js';
import type { Deps } from '../deps.js';
import { deriveStanding, type SessionStanding } from '../sessions/next-step.js';
import { createSession, deleteSession, findSession, touchSession, type WebSession } from '../sessions/sessions.js';
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
  standing: SessionStanding;
  /** The account, only once the session is fully authenticated. */
  account: Account | null;
  client: RequestContext;
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

export function clientOf(request: FastifyRequest): RequestContext {
  const userAgent = request.headers['user-agent'];
  return { ip: request.ip ?? null, userAgent: typeof userAgent === 'string' ? userAgent : null, requestId: String(request.id) };
}

function chooseLocale(request: FastifyRequest, org: Organization, account: Account | null, secure: boolean): Locale {
  if (account?.locale) return account.locale;
  const query = request.query as Record<string, unknown> | undefined;
  if (isLocale(query?.lang)) return query.lang;
  const cookie = parseCookies(request.headers.cookie).get(cookieName(languageCookie, secure));
  if (isLocale(cookie)) return cookie;
  return localeFromAcceptLanguage(request.headers['accept-language']) ?? org.defaultLocale;
}

export function setSessionCookie(reply: FastifyReply, deps: Deps, value: string | null): void {
  const secure = deps.config.publicScheme === 'https';
  const cookie = value === null ? serializeCookie(sessionCookie, '', { secure, maxAgeSeconds: 0 }) : serializeCookie(sessionCookie, value, { secure });
  appendSetCookie(reply, cookie);
}

export function appendSetCookie(reply: FastifyReply, cookie: string): void {
  const existing = reply.getHeader('set-cookie');
  const list = existing === undefined ? [] : Array.isArray(existing) ? existing.map(String) : [String(existing)];
  reply.header('set-cookie', [...list, cookie]);
}

/** Loads session, standing, language; ends a session whose absolute limit or account has gone. */
export async function buildWebContext(deps: Deps, org: Organization, request: FastifyRequest, reply: FastifyReply): Promise<WebContext> {
  const secure = deps.config.publicScheme === 'https';
  const now = deps.clock.now();
  const cookies = parseCookies(request.headers.cookie);
  let session = await findSession(deps.db, org.tenantId, cookies.get(cookieName(sessionCookie, secure)));
  const sessionAccount = session?.accountId ? await findAccountById(deps.db, org.tenantId, session.accountId) : null;
  const hasSecondFactor = sessionAccount ? (await findActiveFactor(deps.db, org.tenantId, sessionAccount.id)) !== null : false;
  const browserTrusted =
    hasSecondFactor && sessionAccount !== null && session?.passwordVerifiedAt !== null
      ? await isBrowserTrusted(deps.db, org.tenantId, sessionAccount.id, cookies.get(cookieName(trustCookie, secure)), org.policy, now)
      : false;
  let standing = deriveStanding({ session, account: sessionAccount, policy: org.policy, now, hasSecondFactor, browserTrusted });
  if (standing.kind === 'expired' && session) {
    await deleteSession(deps.db, org.tenantId, session.id);
    setSessionCookie(reply, deps, null);
    session = null;
    standing = { kind: 'anonymous' };
  }
  if (standing.kind === 'authenticated' && session) await touchSession(deps.db, session, now);
  const account = standing.kind === 'authenticated' ? standing.account : null;
  const query = request.query as Record<string, unknown> | undefined;
  if (isLocale(query?.lang)) {
    appendSetCookie(reply, serializeCookie(languageCookie, query.lang, { secure, maxAgeSeconds: 365 * 24 * 3600 }));
  }
  const locale = chooseLocale(request, org, account, secure);
  const context: WebContext = {
    org,
    locale,
    t: translator(locale),
    session,
    standing,
    account,
    client: clientOf(request),
    csrfToken() {
      if (!context.session) throw new Error('csrfToken() needs a session: call ensureSession first');
      return csrfTokenFor(deps.config.secretKey, context.session);
    },
  };
  return context;
}

/** Remembers this browser for the account's code validity (SPEC 4.6); the record is revocable. */
export function setTrustCookie(reply: FastifyReply, deps: Deps, value: string): void {
  const secure = deps.config.publicScheme === 'https';
  appendSetCookie(reply, serializeCookie(trustCookie, value, { secure, maxAgeSeconds: 30 * 86400 }));
}

/** The account of a session that has passed the password step, whatever it must do next. */
export function standingAccount(ctx: WebContext): Account | null {
  return 'account' in ctx.standing ? ctx.standing.account : null;
}

/** Pages with a form need a session to bind the CSRF token to; made on first need, not on every visit. */
export async function ensureSession(deps: Deps, ctx: WebContext, reply: FastifyReply): Promise<WebSession> {
  if (ctx.session) return ctx.session;
  const created = await createSession(deps.db, deps, ctx.org.tenantId, ctx.client);
  setSessionCookie(reply, deps, created.cookieValue);
  ctx.session = created.session;
  return created.session;
}
