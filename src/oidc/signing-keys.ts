import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { deriveKey, openSecret, sealSecret } from '../core/secret-box.js';
import type { Queryable } from '../db/db.js';

/**
 * The signing keys of an organization's issuer (SPEC 10): ES256, made on first use, the private
 * half sealed with a key derived from SECRET_KEY and bound to the organization and key id. The
 * newest signs; older ones stay published (retired ones until their tokens have expired).
 */
const sealingPurpose = 'ingang oidc signing key v1';

async function newKey(): Promise<{ kid: string; jwk: JWK }> {
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk = await exportJWK(privateKey);
  const kid = Buffer.from(crypto.getRandomValues(new Uint8Array(12))).toString('base64url');
  return { kid, jwk: { ...jwk, kid, alg: 'ES256', use: 'sig' } };
}

export async function addSigningKey(db: Queryable, secretKey: Buffer, tenantId: string, now: Date): Promise<string> {
  const { kid, jwk } = await newKey();
  const sealed = sealSecret(deriveKey(secretKey, sealingPurpose), Buffer.from(JSON.stringify(jwk)), `${tenantId}:${kid}`);
  await db.query('INSERT INTO oidc_signing_key (tenant_id, kid, private_jwk_sealed, created_at) VALUES ($1, $2, $3, $4)', [tenantId, kid, sealed, now]);
  return kid;
}

/** The keys to publish, newest first (it signs); one is made if the organization has none yet. */
export async function signingKeys(db: Queryable, secretKey: Buffer, tenantId: string, now: Date, publishRetiredFor: number): Promise<JWK[]> {
  const read = () =>
    db.query<{ kid: string; private_jwk_sealed: string }>(
      'SELECT kid, private_jwk_sealed FROM oidc_signing_key WHERE tenant_id = $1 AND (retired_at IS NULL OR retired_at > $2) ORDER BY created_at DESC, kid',
      [tenantId, new Date(now.getTime() - publishRetiredFor * 1000)],
    );
  let rows = await read();
  if (rows.length === 0) {
    await addSigningKey(db, secretKey, tenantId, now);
    rows = await read();
  }
  return rows.map((row) => JSON.parse(openSecret(deriveKey(secretKey, sealingPurpose), row.private_jwk_sealed, `${tenantId}:${row.kid}`).toString('utf8')) as JWK);
}

/**
 * `oidc:rotate-keys`: a new key signs from now on; the ones before are retired, still published
 * (signingKeys' `publishRetiredFor`) so that tokens they signed stay verifiable until they expire.
 */
export async function rotateSigningKeys(db: Queryable, secretKey: Buffer, tenantId: string, now: Date): Promise<string> {
  await db.query('UPDATE oidc_signing_key SET retired_at = $2 WHERE tenant_id = $1 AND retired_at IS NULL', [tenantId, now]);
  return addSigningKey(db, secretKey, tenantId, new Date(now.getTime() + 1));
}
