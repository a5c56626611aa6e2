import { createHmac } from 'node:crypto';
import Provider, { type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import { findAccountById } from '../accounts/accounts.js';
import { findAccessToken } from '../devices/access-tokens.js';
import { recordAudit } from '../audit/audit.js';
import type { Config } from '../config.js';
import type { Clock } from '../core/clock.js';
import { countGuess, guessingThrottled } from '../core/guess-budget.js';
import { deriveKey } from '../core/secret-box.js';
import type { Queryable } from '../db/db.js';
import type { Organization } from '../tenants/organizations.js';
import { publicUrl } from '../tenants/public-url.js';
import { clientMetadata, clientSecretMatches, findOidcClient } from './clients.js';
import { recordLoginLink } from './login-links.js';
import { payloadAdapterFor } from './payload-store.js';
import { acrValues, loginPolicy, providerRequests } from './provider-policy.js';

export { acrValues, providerRequests, type ProviderRequest } from './provider-policy.js';
import { signingKeys } from './signing-keys.js';

/** Where oidc-provider sends the browser to log in: Ingang's own journey, a page of the web surface. */
export const interactionPath = (uid: string) => `/oidc/interaction/${uid}`;

/** How long tokens live (seconds). */
export const tokenLifetimes = { accessToken: 10 * 60, idToken: 10 * 60, authorizationCode: 60, refreshToken: 30 * 24 * 3600, session: 12 * 3600, interaction: 30 * 60, grant: 365 * 24 * 3600 } as const;

/** The endpoints where a client authenticates itself. */
const clientAuthenticatedPaths = new Set(['/oidc/token', '/oidc/introspect', '/oidc/revoke']);

/** Each provider's own way to send a logout token, kept for the job queue (the provider itself queues instead). */
const logoutTokenSenders = new WeakMap<Provider, (clientId: string, sub: string, sid: string) => Promise<void>>();

/** Sends one back-channel logout token now (the queue's job; flows/openid-logout.ts). */
export async function deliverLogoutToken(provider: Provider, clientId: string, sub: string, sid: string): Promise<void> {
  const send = logoutTokenSenders.get(provider);
  if (!send) throw new Error('not a provider of Ingang');
  await send(clientId, sub, sid);
}

interface ProviderDeps {
  config: Config;
  db: Queryable;
  clock: Clock;
  log: { warn(details: object, message: string): void };
}

/** The issuer of an organization: its primary host (SPEC 10), without a trailing slash. */
export function issuerOf(config: Config, org: Organization): string {
  return publicUrl(config, org, '');
}

/**
 * One oidc-provider for one organization (SPEC 10): its own issuer, keys, clients and storage, all
 * under its `tenant_id`. The login itself is Ingang's journey: the provider only hands over to
 * `/oidc/interaction/<uid>` and is told the result.
 */
export async function createOrganizationProvider(deps: ProviderDeps, org: Organization): Promise<Provider> {
  const { config, db, clock, log } = deps;
  const tenantId = org.tenantId;
  // A retired key stays published a day: longer than any ID token it signed lives.
  const keys = await signingKeys(db, config.secretKey, tenantId, clock.now(), 24 * 3600);
  const findClient = async (clientId: string) => {
    const client = await findOidcClient(db, tenantId, clientId);
    return client ? clientMetadata(client) : undefined;
  };
  const configuration: Configuration = {
    adapter: payloadAdapterFor(db, clock, tenantId, findClient),
    jwks: { keys: keys as NonNullable<Configuration['jwks']>['keys'] },
    // Signed cookies, with a key of this organization's own.
    cookies: {
      keys: [createHmac('sha256', deriveKey(config.secretKey, 'ingang oidc cookies v1')).update(tenantId).digest('base64url')],
      long: { httpOnly: true, sameSite: 'lax' },
      short: { httpOnly: true, sameSite: 'lax' },
    },
    routes: {
      authorization: '/oidc/auth',
      token: '/oidc/token',
      userinfo: '/oidc/userinfo',
      jwks: '/oidc/jwks',
      end_session: '/oidc/end-session',
      introspection: '/oidc/introspect',
      revocation: '/oidc/revoke',
      registration: '/oidc/reg',
      pushed_authorization_request: '/oidc/par',
      code_verification: '/oidc/device',
      device_authorization: '/oidc/device/auth',
      backchannel_authentication: '/oidc/backchannel',
      challenge: '/oidc/challenge',
      credential: '/oidc/credential',
    },
    features: {
      devInteractions: { enabled: false },
      // Not in SPEC 10: pushed authorization requests would be one more anonymous write and one
      // more place a client authenticates.
      pushedAuthorizationRequests: { enabled: false },
      // Introspection is for confidential clients, the platform's APIs: any token of this
      // organization's (SPEC 10). A public client learns nothing, not even of its own tokens.
      introspection: { enabled: true, allowedPolicy: async (_ctx, client) => client.clientAuthMethod !== 'none' },
      // A client revokes its own tokens only (RFC 7009).
      revocation: { enabled: true, allowedPolicy: async (_ctx, client, token) => token.clientId === client.clientId },
      // Ingang's own pages: the logout an application asked is confirmed on a page of the
      // organization's, in the browser's language, under Ingang's CSP.
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: async (ctx, _form) => {
          const pages = providerRequests.get(ctx.req)?.pages;
          const xsrf = String(ctx.oidc.session?.state?.secret ?? '');
          ctx.type = 'html';
          ctx.body = pages ? pages.logoutConfirm({ action: ctx.oidc.urlFor('end_session_confirm'), xsrf, clientName: ctx.oidc.client?.clientName ?? null }) : '';
        },
        postLogoutSuccessSource: async (ctx) => {
          const pages = providerRequests.get(ctx.req)?.pages;
          ctx.type = 'html';
          ctx.body = pages ? pages.loggedOut(ctx.oidc.client?.clientName ?? null) : '';
        },
      },
      // Logout tokens go through Ingang's job queue (flows/openid-logout.ts), with retries.
      backchannelLogout: { enabled: true },
    },
    // SPEC 10: a confidential client's secret in a Basic header or in the body; nothing else.
    clientAuthMethods: ['client_secret_basic', 'client_secret_post', 'none'],
    // The provider refuses to call special-use addresses (loopback, private); outside production a
    // loopback back-channel URI is allowed for development and tests (SPEC 10).
    ...(config.production ? {} : { fetch: (url: string | URL | Request, options?: RequestInit) => fetch(url, { ...options, dispatcher: undefined } as RequestInit) }),
    // PKCE S256 for every client (SPEC 10 asks it of public clients; confidential ones lose nothing).
    pkce: { required: () => true },
    scopes: ['openid', 'profile', 'email', 'offline_access', 'ingang'],
    claims: {
      openid: ['sub', 'acr', 'amr', 'auth_time'],
      profile: ['name', 'locale'],
      email: ['email', 'email_verified'],
      ingang: ['role', 'org'],
    },
    acrValues: [acrValues.password, acrValues.twoFactor],
    conformIdTokenClaims: false,
    // SPEC 10: every refresh rotates the refresh token; using a spent one revokes the whole grant.
    rotateRefreshToken: true,
    // The organization's keys are ES256 (signing-keys.ts).
    clientDefaults: { id_token_signed_response_alg: 'ES256', grant_types: ['authorization_code'], response_types: ['code'] },
    ttl: {
      AccessToken: tokenLifetimes.accessToken,
      IdToken: tokenLifetimes.idToken,
      AuthorizationCode: tokenLifetimes.authorizationCode,
      RefreshToken: tokenLifetimes.refreshToken,
      Session: tokenLifetimes.session,
      Interaction: tokenLifetimes.interaction,
      Grant: tokenLifetimes.grant,
    },
    interactions: { policy: loginPolicy(db, tenantId), url: (_ctx: KoaContextWithOIDC, interaction) => interactionPath(interaction.uid) },
    // `sub` is the account id: stable, opaque, never the address. Nothing of another organization.
    findAccount: async (_ctx, sub) => {
      const account = await findAccountById(db, tenantId, sub);
      if (!account || account.state !== 'active') return undefined;
      return {
        accountId: account.id,
        claims: async () => ({
          sub: account.id,
          name: account.name,
          locale: account.locale ?? org.defaultLocale,
          email: account.email,
          // An active account set its password through a link mailed to the address (welcome or reset).
          email_verified: true,
          role: account.role,
          org: org.slug,
        }),
      };
    },
    renderError: async (ctx, out) => {
      ctx.type = 'json';
      ctx.body = out;
    },
  };
  const provider = new Provider(issuerOf(config, org), configuration);
  // SECURITY 9 for client secrets: a wrong one at the token, introspection or revocation endpoint
  // counts in the network's guess budget; over it, those endpoints answer 429 before any check.
  provider.use(async (ctx, next) => {
    // The provider's router ignores case and a trailing slash: so does the guard.
    const guarded = ctx.method === 'POST' && clientAuthenticatedPaths.has(ctx.path.toLowerCase().replace(/\/+$/, ''));
    const scope = { db, tenantId, ip: providerRequests.get(ctx.req)?.ip ?? null, now: clock.now() };
    if (guarded) {
      const wait = await guessingThrottled(scope);
      if (wait !== null) {
        ctx.status = 429;
        ctx.set('retry-after', String(wait));
        ctx.body = { error: 'rate_limited', error_description: 'too many wrong client credentials from this network' };
        return;
      }
    }
    await next();
    if (guarded && ctx.status === 401 && (ctx.body as { error?: string } | undefined)?.error === 'invalid_client') await countGuess(scope);
  });
  // SPEC 10: the introspection endpoint also answers for the mobile app's access tokens, to a
  // confidential client (a platform API): active, sub (the same as in ID tokens), org, device_id, exp.
  provider.use(async (ctx, next) => {
    await next();
    const body = ctx.body as { active?: boolean } | undefined;
    if (ctx.path !== '/oidc/introspect' || ctx.status !== 200 || body?.active !== false) return;
    const client = ctx.oidc?.client;
    const token = ctx.oidc?.params?.token;
    if (!client || client.clientAuthMethod === 'none' || typeof token !== 'string' || token.includes('\0')) return;
    // The same lookup as the app API's own: nothing of another organization, a removed device's tokens inactive.
    const described = await findAccessToken(db, tenantId, token, clock.now());
    if (!described) return;
    ctx.body = {
      active: true,
      sub: described.account.id,
      org: org.slug,
      device_id: described.deviceId,
      exp: Math.floor(described.expiresAt.getTime() / 1000),
      token_type: 'Bearer',
      iss: issuerOf(config, org),
    };
  });
  // Each authorization code issued to a logged-in browser binds its provider session to the
  // browser's Ingang login, and names the application that login reached (back-channel logout).
  // The logout an application asked, once confirmed, ends the Ingang login too.
  provider.use(async (ctx, next) => {
    await next();
    const request = providerRequests.get(ctx.req);
    const session = ctx.oidc?.session;
    const client = ctx.oidc?.client;
    if (ctx.oidc?.entities?.AuthorizationCode && request?.login && session?.accountId === request.login.accountId && client) {
      await recordLoginLink(db, { tenantId, loginId: request.login.loginId, clientId: client.clientId, accountId: request.login.accountId, providerSessionUid: session.uid, sid: session.sidFor(client.clientId) }, clock.now());
    }
    // A logout asked of a provider session that logged nobody in: the provider would answer with a
    // form that submits itself (an inline script it allows in the CSP), so a link from any site
    // could end the Ingang login. Ingang's confirmation page instead, under Ingang's CSP.
    if (ctx.oidc?.route === 'end_session' && ctx.status === 200 && !ctx.oidc.session?.accountId && request?.pages) {
      ctx.set('content-security-policy', request.pages.contentSecurityPolicy);
      ctx.body = request.pages.logoutConfirm({ action: ctx.oidc.urlFor('end_session_confirm'), xsrf: String(ctx.oidc.session?.state?.secret ?? ''), clientName: ctx.oidc.client?.clientName ?? null });
    }
    if (ctx.oidc?.route === 'end_session_confirm' && ctx.status >= 300 && ctx.status < 400) {
      if (ctx.oidc.params?.logout && request?.endLogin) for (const cookie of await request.endLogin()) ctx.append('set-cookie', cookie);
      // The confirmation was a posted form: it may not redirect off this origin (form-action 'self').
      const location = ctx.response.get('location');
      if (request?.pages && location) {
        ctx.remove('location');
        ctx.status = 200;
        ctx.type = 'html';
        ctx.body = request.pages.continueTo(location);
      }
    }
  });
  // The provider would send its logout tokens itself, once, at its own end-session; Ingang sends
  // them for every ended login through the queue instead (the end of the Ingang login that
  // end-session brings about included), and keeps the provider's way to send one for the job.
  const sendLogout = provider.Client.prototype.backchannelLogout as (this: InstanceType<Provider['Client']>, sub: string, sid: string) => Promise<void>;
  provider.Client.prototype.backchannelLogout = async function queuedInstead() {};
  logoutTokenSenders.set(provider, async (clientId, sub, sid) => {
    const client = await provider.Client.find(clientId);
    if (!client) throw new Error('client not found');
    await sendLogout.call(client, sub, sid);
  });
  // The surface sets Host and X-Forwarded-Proto to the issuer's own (openid/plugin.ts), so every
  // URL the provider writes is the issuer's, whatever the request said.
  provider.proxy = true;
  // Only `response_mode=query` is answered (the surface refuses the others): form_post's page
  // would need an inline script, which Ingang's CSP refuses.
  provider.use(async (ctx, next) => {
    await next();
    if (ctx.oidc?.route === 'discovery' && ctx.body && typeof ctx.body === 'object') (ctx.body as Record<string, unknown>).response_modes_supported = ['query'];
  });
  // A confidential client's secret is kept as a digest (clients.ts): compare digests.
  provider.Client.prototype.compareClientSecret = function compareClientSecret(this: { clientId: string; clientSecret: string }, actual: string) {
    return clientSecretMatches(config.secretKey, tenantId, this.clientId, this.clientSecret, actual);
  };
  // SPEC 10's audit events. The provider tells of them as it answers; a failed write is logged.
  const audit = (ctx: KoaContextWithOIDC, event: 'oidc_tokens_issued' | 'oidc_refresh_used' | 'oidc_token_revoked', details: Record<string, string | null>) => {
    const accountId = ctx.oidc?.account?.accountId ?? null;
    const client = { ip: providerRequests.get(ctx.req)?.ip ?? null, userAgent: ctx.get('user-agent') || null, requestId: null };
    recordAudit(db, clock.now(), client, { tenantId, event, outcome: 'success', actorAccountId: accountId, subjectAccountId: accountId, details: { clientId: ctx.oidc?.client?.clientId ?? null, ...details } }).catch(
      (error: unknown) => log.warn({ err: error instanceof Error ? error.message : String(error), event }, 'audit row of the OpenID provider not written'),
    );
  };
  provider.on('grant.success', (ctx: KoaContextWithOIDC) => {
    const grantType = String(ctx.oidc?.params?.grant_type ?? '');
    audit(ctx, grantType === 'refresh_token' ? 'oidc_refresh_used' : 'oidc_tokens_issued', { grantType });
  });
  provider.on('server_error', (_ctx: KoaContextWithOIDC, error: Error) => log.warn({ err: error.message, stack: error.stack }, 'the OpenID provider failed'));
  provider.on('grant.revoked', (ctx: KoaContextWithOIDC, grantId: string) => audit(ctx, 'oidc_token_revoked', { grantId }));
  return provider;
}
