import { createHmac } from 'node:crypto';
import Provider, { interactionPolicy, type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import { findAccountById } from '../accounts/accounts.js';
import type { Config } from '../config.js';
import type { Clock } from '../core/clock.js';
import { deriveKey } from '../core/secret-box.js';
import type { Queryable } from '../db/db.js';
import type { Organization } from '../tenants/organizations.js';
import { publicUrl } from '../tenants/public-url.js';
import { clientMetadata, clientSecretMatches, findOidcClient } from './clients.js';
import { payloadAdapterFor } from './payload-store.js';
import { signingKeys } from './signing-keys.js';

/** SPEC 10's two levels of authentication. */
export const acrValues = { password: 'urn:ingang:acr:password', twoFactor: 'urn:ingang:acr:2fa' } as const;

/** Where oidc-provider sends the browser to log in: Ingang's own journey, a page of the web surface. */
export const interactionPath = (uid: string) => `/oidc/interaction/${uid}`;

/** How long tokens live (seconds). */
export const tokenLifetimes = { accessToken: 10 * 60, idToken: 10 * 60, authorizationCode: 60, refreshToken: 30 * 24 * 3600, session: 12 * 3600, interaction: 30 * 60, grant: 365 * 24 * 3600 } as const;

/**
 * The provider's own rules of when to ask for a login, plus one: an application that asks
 * `acr_values=urn:ingang:acr:2fa` of a session that proved the password alone gets the login
 * interaction, where Ingang asks the code (SPEC 10).
 */
function loginPolicy() {
  const policy = interactionPolicy.base();
  policy.get('login')!.checks.add(
    new interactionPolicy.Check('acr_two_factor', 'a second factor is asked for', (ctx) => {
      const wanted = String(ctx.oidc.params?.acr_values ?? '').split(' ').includes(acrValues.twoFactor);
      return wanted && ctx.oidc.acr !== acrValues.twoFactor && !ctx.oidc.result?.login ? interactionPolicy.Check.REQUEST_PROMPT : interactionPolicy.Check.NO_NEED_TO_PROMPT;
    }),
  );
  return policy;
}

interface ProviderDeps {
  config: Config;
  db: Queryable;
  clock: Clock;
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
  const { config, db, clock } = deps;
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
      introspection: { enabled: true },
      revocation: { enabled: true },
      rpInitiatedLogout: { enabled: true },
    },
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
    interactions: { policy: loginPolicy(), url: (_ctx: KoaContextWithOIDC, interaction) => interactionPath(interaction.uid) },
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
  // Behind Ingang's own proxy the scheme comes from X-Forwarded-Proto, as for the rest of Ingang.
  if (config.trustProxy !== false) provider.proxy = true;
  // A confidential client's secret is kept as a digest (clients.ts): compare digests.
  provider.Client.prototype.compareClientSecret = function compareClientSecret(this: { clientId: string; clientSecret: string }, actual: string) {
    return clientSecretMatches(config.secretKey, tenantId, this.clientId, this.clientSecret, actual);
  };
  return provider;
}
