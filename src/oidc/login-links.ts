import type { Queryable } from '../db/db.js';

/**
 * Which applications an Ingang browser login reached through the provider (SPEC 10): made when an
 * authorization code is issued, ended when the login ends. A login is a web session's `login_id`,
 * the same across the id renewals of one login.
 */
export interface LoginLink {
  tenantId: string;
  loginId: string;
  clientId: string;
  accountId: string;
  providerSessionUid: string;
  sid: string;
}

interface LinkRow {
  tenant_id: string;
  login_id: string;
  client_id: string;
  account_id: string;
  provider_session_uid: string;
  sid: string;
}

const linkColumns = 'tenant_id, login_id, client_id, account_id, provider_session_uid, sid';

const toLink = (row: LinkRow): LoginLink => ({
  tenantId: row.tenant_id,
  loginId: row.login_id,
  clientId: row.client_id,
  accountId: row.account_id,
  providerSessionUid: row.provider_session_uid,
  sid: row.sid,
});

export async function recordLoginLink(db: Queryable, link: LoginLink, now: Date): Promise<void> {
  await db.query(
    `INSERT INTO oidc_login_link (${linkColumns}, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (tenant_id, login_id, client_id) DO UPDATE SET provider_session_uid = EXCLUDED.provider_session_uid, sid = EXCLUDED.sid, account_id = EXCLUDED.account_id`,
    [link.tenantId, link.loginId, link.clientId, link.accountId, link.providerSessionUid, link.sid, now],
  );
}

/** Whether the provider session was bound to this login by an authorization made in it. */
export async function providerSessionBound(db: Queryable, tenantId: string, loginId: string, providerSessionUid: string): Promise<boolean> {
  const rows = await db.query('SELECT 1 FROM oidc_login_link WHERE tenant_id = $1 AND login_id = $2 AND provider_session_uid = $3 LIMIT 1', [tenantId, loginId, providerSessionUid]);
  return rows.length > 0;
}

/** The links of one account, or of every account of the organization. */
export async function loginLinksOf(db: Queryable, tenantId: string, accountId: string | null): Promise<LoginLink[]> {
  const rows = await db.query<LinkRow>(`SELECT ${linkColumns} FROM oidc_login_link WHERE tenant_id = $1 AND ($2::uuid IS NULL OR account_id = $2::uuid)`, [tenantId, accountId]);
  return rows.map(toLink);
}

/** The organizations with any link, for the maintenance pass that finds logins ended by a time limit. */
export async function tenantsWithLoginLinks(db: Queryable): Promise<string[]> {
  const rows = await db.query<{ tenant_id: string }>('SELECT DISTINCT tenant_id FROM oidc_login_link');
  return rows.map((r) => r.tenant_id);
}

/**
 * Removes the links of ended logins and returns those this call removed: of two passes at once,
 * each link is handed to one, so each application is told once.
 */
export async function removeLoginLinks(db: Queryable, tenantId: string, loginIds: string[]): Promise<LoginLink[]> {
  if (loginIds.length === 0) return [];
  const rows = await db.query<LinkRow>(`DELETE FROM oidc_login_link WHERE tenant_id = $1 AND login_id = ANY($2::uuid[]) RETURNING ${linkColumns}`, [tenantId, loginIds]);
  return rows.map(toLink);
}
