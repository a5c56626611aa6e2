import { createHmac, timingSafeEqual } from 'node:crypto';
import type { AdapterPayload } from 'oidc-provider';
import type { Failure, Ok } from '../core/outcome.js';
import type { RandomSource } from '../core/random.js';
import { deriveKey } from '../core/secret-box.js';
import type { Queryable } from '../db/db.js';

/** An application of the organization's platform that logs its users in through Ingang (SPEC 10). */
export interface OidcClient {
  tenantId: string;
  clientId: string;
  name: string;
  redirectUris: string[];
  postLogoutRedirectUris: string[];
  backchannelLogoutUri: string | null;
  confidential: boolean;
  firstParty: boolean;
  offlineAccess: boolean;
}

interface ClientRow {
  tenant_id: string;
  client_id: string;
  name: string;
  redirect_uris: string[];
  post_logout_redirect_uris: string[];
  backchannel_logout_uri: string | null;
  confidential: boolean;
  secret_digest: string | null;
  first_party: boolean;
  offline_access: boolean;
}

const clientColumns = 'tenant_id, client_id, name, redirect_uris, post_logout_redirect_uris, backchannel_logout_uri, confidential, secret_digest, first_party, offline_access';

function toClient(row: ClientRow): OidcClient {
  return {
    tenantId: row.tenant_id,
    clientId: row.client_id,
    name: row.name,
    redirectUris: row.redirect_uris,
    postLogoutRedirectUris: row.post_logout_redirect_uris,
    backchannelLogoutUri: row.backchannel_logout_uri,
    confidential: row.confidential,
    firstParty: row.first_party,
    offlineAccess: row.offline_access,
  };
}

/** A client secret as it is kept: a keyed digest, bound to its organization and client. */
export function clientSecretDigest(secretKey: Buffer, tenantId: string, clientId: string, secret: string): string {
  return createHmac('sha256', deriveKey(secretKey, 'ingang oidc client secret v1')).update(`${tenantId}:${clientId}:${secret}`).digest('base64url');
}

export function clientSecretMatches(secretKey: Buffer, tenantId: string, clientId: string, digest: string, given: string): boolean {
  const actual = Buffer.from(clientSecretDigest(secretKey, tenantId, clientId, given));
  const expected = Buffer.from(digest);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

export type ClientProblem = 'invalid_name' | 'invalid_redirect_uri' | 'invalid_logout_uri' | 'invalid_backchannel_uri' | 'client_id_taken';

/** A redirect URI: absolute, https (or http on a loopback or localhost name, for development and native apps), no fragment. */
export function isAcceptableRedirectUri(value: string): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  if (url.hash !== '' || value.includes('#') || url.username || url.password) return false;
  if (url.protocol === 'https:') return true;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return url.protocol === 'http:' && (host === 'localhost' || host.endsWith('.localhost') || host === '127.0.0.1' || host === '::1');
}

/**
 * A back-channel logout URI is one Ingang itself calls: https only, or outside production http on
 * a loopback address, for development and tests (SPEC 10). In production the provider also
 * refuses to connect to a special-use address (loopback, private networks) whatever the name.
 */
export function isAcceptableBackchannelUri(value: string, production: boolean): boolean {
  if (!isAcceptableRedirectUri(value)) return false;
  return new URL(value).protocol === 'https:' || !production;
}

/** What is wrong with a client's registration, if anything (the name, or which of its URIs). */
export function clientInputProblem(
  input: { name: string; redirectUris: string[]; postLogoutRedirectUris: string[]; backchannelLogoutUri: string | null },
  production: boolean,
): Exclude<ClientProblem, 'client_id_taken'> | null {
  const name = input.name.trim();
  if (name.length < 1 || name.length > 100 || /[\p{Cc}]/u.test(name)) return 'invalid_name';
  if (input.redirectUris.length === 0 || input.redirectUris.length > 10 || !input.redirectUris.every(isAcceptableRedirectUri)) return 'invalid_redirect_uri';
  if (input.postLogoutRedirectUris.length > 10 || !input.postLogoutRedirectUris.every(isAcceptableRedirectUri)) return 'invalid_logout_uri';
  if (input.backchannelLogoutUri !== null && !isAcceptableBackchannelUri(input.backchannelLogoutUri, production)) return 'invalid_backchannel_uri';
  return null;
}

/**
 * Registers a client. A confidential one gets a secret of 256 random bits, returned this once and
 * kept as a digest only.
 */
export async function insertOidcClient(
  db: Queryable,
  deps: { random: RandomSource; secretKey: Buffer; now: Date; production: boolean },
  input: { tenantId: string; name: string; redirectUris: string[]; postLogoutRedirectUris: string[]; backchannelLogoutUri: string | null; confidential: boolean; firstParty: boolean; offlineAccess: boolean },
): Promise<Ok<{ client: OidcClient; secret: string | null }> | Failure<ClientProblem>> {
  const problem = clientInputProblem(input, deps.production);
  if (problem) return { ok: false, error: problem };
  const name = input.name.trim();
  const clientId = deps.random.bytes(16).toString('base64url');
  const secret = input.confidential ? deps.random.bytes(32).toString('base64url') : null;
  const rows = await db.query<ClientRow>(
    `INSERT INTO oidc_client (tenant_id, client_id, name, redirect_uris, post_logout_redirect_uris, backchannel_logout_uri, confidential, secret_digest, first_party, offline_access, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
     ON CONFLICT DO NOTHING RETURNING ${clientColumns}`,
    [
      input.tenantId,
      clientId,
      name,
      input.redirectUris,
      input.postLogoutRedirectUris,
      input.backchannelLogoutUri,
      input.confidential,
      secret === null ? null : clientSecretDigest(deps.secretKey, input.tenantId, clientId, secret),
      input.firstParty,
      input.offlineAccess,
      deps.now,
    ],
  );
  if (!rows[0]) return { ok: false, error: 'client_id_taken' };
  return { ok: true, client: toClient(rows[0]), secret };
}

export async function listOidcClients(db: Queryable, tenantId: string): Promise<OidcClient[]> {
  const rows = await db.query<ClientRow>(`SELECT ${clientColumns} FROM oidc_client WHERE tenant_id = $1 AND removed_at IS NULL ORDER BY created_at`, [tenantId]);
  return rows.map(toClient);
}

export async function findOidcClient(db: Queryable, tenantId: string, clientId: string): Promise<(OidcClient & { secretDigest: string | null }) | null> {
  // A NUL cannot be in any id (PostgreSQL keeps none in text): no such client.
  if (clientId.includes('\0')) return null;
  const rows = await db.query<ClientRow>(`SELECT ${clientColumns} FROM oidc_client WHERE tenant_id = $1 AND client_id = $2 AND removed_at IS NULL`, [tenantId, clientId]);
  return rows[0] ? { ...toClient(rows[0]), secretDigest: rows[0].secret_digest } : null;
}

/**
 * The client as oidc-provider reads it. A confidential client's `client_secret` is its digest: the
 * provider's comparison is replaced by one that digests the secret it is given (provider.ts).
 * Authorization code with PKCE only; refresh tokens only for clients allowed `offline_access`.
 */
export function clientMetadata(client: OidcClient & { secretDigest: string | null }): AdapterPayload {
  return {
    client_id: client.clientId,
    client_name: client.name,
    redirect_uris: client.redirectUris,
    post_logout_redirect_uris: client.postLogoutRedirectUris,
    ...(client.backchannelLogoutUri ? { backchannel_logout_uri: client.backchannelLogoutUri, backchannel_logout_session_required: true } : {}),
    grant_types: client.offlineAccess ? ['authorization_code', 'refresh_token'] : ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: client.confidential ? 'client_secret_basic' : 'none',
    ...(client.confidential && client.secretDigest ? { client_secret: client.secretDigest } : {}),
  } as AdapterPayload;
}

/**
 * Removes a client: it is found no more (so nothing it holds is accepted), and what the provider
 * kept for it — its grants, codes and tokens — goes. True if there was such a client.
 */
export async function removeOidcClient(db: Queryable, tenantId: string, clientId: string, now: Date): Promise<boolean> {
  const rows = await db.query('UPDATE oidc_client SET removed_at = $3 WHERE tenant_id = $1 AND client_id = $2 AND removed_at IS NULL RETURNING client_id', [tenantId, clientId, now]);
  if (rows.length === 0) return false;
  await db.query("DELETE FROM oidc_payload WHERE tenant_id = $1 AND payload ->> 'clientId' = $2", [tenantId, clientId]);
  return true;
}
