import { errors, type Adapter, type AdapterPayload } from 'oidc-provider';
import type { Clock } from '../core/clock.js';
import type { Queryable } from '../db/db.js';

/**
 * The storage of oidc-provider (sessions, interactions, codes, tokens, grants) on Ingang's own
 * database, so every instance shares it (SPEC 10). oidc-provider makes one adapter per model with
 * `new Adapter(model)`; this makes that class for one organization, whose `tenant_id` leads every
 * key. Clients are not kept here: they are Ingang's own table (clients.ts), found by `find` of the
 * model `Client`.
 */
export function payloadAdapterFor(
  db: Queryable,
  clock: Clock,
  tenantId: string,
  findClient: (clientId: string) => Promise<AdapterPayload | undefined>,
): new (model: string) => Adapter {
  return class IngangPayloadAdapter implements Adapter {
    constructor(readonly model: string) {}

    async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
      const json = JSON.stringify(payload);
      // PostgreSQL keeps no NUL in text or jsonb: a request parameter holding one is the client's error.
      if (json.includes('\\u0000') || id.includes('\0')) throw new errors.InvalidRequest('a parameter holds a NUL character');
      const expiresAt = expiresIn ? new Date(clock.now().getTime() + expiresIn * 1000) : null;
      await db.query(
        `INSERT INTO oidc_payload (tenant_id, model, id, payload, grant_id, uid, user_code, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (tenant_id, model, id) DO UPDATE SET payload = EXCLUDED.payload, grant_id = EXCLUDED.grant_id,
           uid = EXCLUDED.uid, user_code = EXCLUDED.user_code, expires_at = EXCLUDED.expires_at`,
        [tenantId, this.model, id, json, payload.grantId ?? null, payload.uid ?? null, payload.userCode ?? null, expiresAt],
      );
    }

    async find(id: string): Promise<AdapterPayload | undefined> {
      if (id.includes('\0')) return undefined;
      if (this.model === 'Client') return findClient(id);
      const rows = await db.query<{ payload: AdapterPayload }>(
        'SELECT payload FROM oidc_payload WHERE tenant_id = $1 AND model = $2 AND id = $3 AND (expires_at IS NULL OR expires_at > $4)',
        [tenantId, this.model, id, clock.now()],
      );
      return rows[0]?.payload;
    }

    async findByUid(uid: string): Promise<AdapterPayload | undefined> {
      if (uid.includes('\0')) return undefined;
      const rows = await db.query<{ payload: AdapterPayload }>(
        'SELECT payload FROM oidc_payload WHERE tenant_id = $1 AND model = $2 AND uid = $3 AND (expires_at IS NULL OR expires_at > $4) LIMIT 1',
        [tenantId, this.model, uid, clock.now()],
      );
      return rows[0]?.payload;
    }

    async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
      if (userCode.includes('\0')) return undefined;
      const rows = await db.query<{ payload: AdapterPayload }>(
        'SELECT payload FROM oidc_payload WHERE tenant_id = $1 AND model = $2 AND user_code = $3 AND (expires_at IS NULL OR expires_at > $4) LIMIT 1',
        [tenantId, this.model, userCode, clock.now()],
      );
      return rows[0]?.payload;
    }

    async consume(id: string): Promise<void> {
      if (id.includes('\0')) return;
      await db.query(`UPDATE oidc_payload SET payload = payload || jsonb_build_object('consumed', $4::bigint) WHERE tenant_id = $1 AND model = $2 AND id = $3`, [
        tenantId,
        this.model,
        id,
        Math.floor(clock.now().getTime() / 1000),
      ]);
    }

    async destroy(id: string): Promise<void> {
      if (id.includes('\0')) return;
      await db.query('DELETE FROM oidc_payload WHERE tenant_id = $1 AND model = $2 AND id = $3', [tenantId, this.model, id]);
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      if (grantId.includes('\0')) return;
      await db.query('DELETE FROM oidc_payload WHERE tenant_id = $1 AND grant_id = $2', [tenantId, grantId]);
    }
  };
}

/** Maintenance: what oidc-provider kept past its expiry carries nothing any more. */
export async function purgeExpiredOidcPayloads(db: Queryable, now: Date, onlyTenantId: string | null = null): Promise<number> {
  const rows = await db.query('DELETE FROM oidc_payload WHERE expires_at < $1 AND ($2::uuid IS NULL OR tenant_id = $2::uuid) RETURNING id', [now, onlyTenantId]);
  return rows.length;
}

/** The clients holding a live refresh token of the account, with when the oldest was issued. */
export async function listRefreshTokenHolders(db: Queryable, tenantId: string, accountId: string, now: Date): Promise<{ clientId: string; since: Date }[]> {
  const rows = await db.query<{ client_id: string; since: string }>(
    `SELECT payload ->> 'clientId' AS client_id, min((payload ->> 'iat')::bigint)::text AS since FROM oidc_payload
      WHERE tenant_id = $1 AND model = 'RefreshToken' AND payload ->> 'accountId' = $2 AND payload ->> 'consumed' IS NULL AND (expires_at IS NULL OR expires_at > $3)
      GROUP BY payload ->> 'clientId' ORDER BY 2`,
    [tenantId, accountId, now],
  );
  return rows.map((r) => ({ clientId: r.client_id, since: new Date(Number(r.since) * 1000) }));
}

/** Everything the provider keeps of one account with one client (grants, codes, tokens) goes: the application is logged out for good. */
export async function revokeAccountClient(db: Queryable, tenantId: string, accountId: string, clientId: string): Promise<number> {
  const rows = await db.query("DELETE FROM oidc_payload WHERE tenant_id = $1 AND payload ->> 'accountId' = $2 AND payload ->> 'clientId' = $3 RETURNING id", [tenantId, accountId, clientId]);
  return rows.length;
}

/** The provider sessions of ended logins end too: they log nobody in again. */
export async function endProviderSessions(db: Queryable, tenantId: string, sessionUids: string[]): Promise<number> {
  if (sessionUids.length === 0) return 0;
  const rows = await db.query("DELETE FROM oidc_payload WHERE tenant_id = $1 AND model = 'Session' AND uid = ANY($2::text[]) RETURNING id", [tenantId, sessionUids]);
  return rows.length;
}

/**
 * What an account's applications hold (grants, codes, access and refresh tokens) goes, with every
 * provider session of it: after a password change or reset, a deactivation or a staff 2FA reset
 * nothing the old login gave out still works, as the app's devices end (SECURITY 42).
 */
export async function revokeAccountOidcTokens(db: Queryable, tenantId: string, accountId: string): Promise<number> {
  const rows = await db.query(
    "DELETE FROM oidc_payload WHERE tenant_id = $1 AND model IN ('Session', 'Grant', 'AuthorizationCode', 'AccessToken', 'RefreshToken') AND payload ->> 'accountId' = $2 RETURNING id",
    [tenantId, accountId],
  );
  return rows.length;
}
