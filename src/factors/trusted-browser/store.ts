import { addSeconds, type Clock } from '../../core/clock.js';
import type { RandomSource } from '../../core/random.js';
import { issueToken, parseToken, secretMatches } from '../../core/token.js';
import type { Queryable } from '../../db/db.js';
import type { Policy } from '../../tenants/policy.js';

/**
 * SPEC 4.6: how long a verified code stays valid on one browser. `1h` is sliding (one hour of
 * inactivity, the default); the others count from the code. Never beyond the org's maximum.
 */
export const codeValidities = ['1h', '12h', '7d', '30d'] as const;
export type CodeValidity = (typeof codeValidities)[number];

const validitySeconds: Record<CodeValidity, number> = { '1h': 3600, '12h': 12 * 3600, '7d': 7 * 86400, '30d': 30 * 86400 };

export function isCodeValidity(value: string): value is CodeValidity {
  return (codeValidities as readonly string[]).includes(value);
}

/**
 * The choices this org allows: `1h` always (it is no longer than an ordinary idle limit). With
 * `maxCodeValidityDays` 0 no browser is trusted at all, and a sliding hour never outlives the maximum.
 */
export function allowedValidities(policy: Policy): CodeValidity[] {
  return codeValidities.filter((v) => v === '1h' || validitySeconds[v] <= policy.maxCodeValidityDays * 86400);
}

/** The account's choice, cut back to what the org allows now. */
export function effectiveValidity(chosen: CodeValidity, policy: Policy): CodeValidity {
  const allowed = allowedValidities(policy);
  return allowed.includes(chosen) ? chosen : allowed[allowed.length - 1]!;
}

export interface TrustedBrowser {
  id: string;
  accountId: string;
  name: string;
  validity: CodeValidity;
  createdAt: Date;
  lastUsedAt: Date;
  expiresAt: Date;
}

interface Row {
  id: string;
  account_id: string;
  secret_hash: Uint8Array;
  name: string;
  validity: CodeValidity;
  created_at: Date;
  last_used_at: Date;
  expires_at: Date;
}

const toTrusted = (r: Row): TrustedBrowser => ({ id: r.id, accountId: r.account_id, name: r.name, validity: r.validity, createdAt: r.created_at, lastUsedAt: r.last_used_at, expiresAt: r.expires_at });

/** Records that this browser passed the code step; returns the cookie value (shown once). */
export async function trustBrowser(
  db: Queryable,
  deps: { clock: Clock; random: RandomSource },
  input: { tenantId: string; accountId: string; validity: CodeValidity; name: string },
): Promise<string> {
  const token = issueToken(deps.random);
  const now = deps.clock.now();
  await db.query(
    `INSERT INTO trusted_browser (tenant_id, id, account_id, secret_hash, name, validity, created_at, last_used_at, expires_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8)`,
    [input.tenantId, token.id, input.accountId, token.secretHash, input.name.slice(0, 200), input.validity, now, addSeconds(now, validitySeconds[input.validity])],
  );
  return token.token;
}

/**
 * Whether the cookie names a live trust record of this account. A sliding (`1h`) record moves
 * its end on use; every record also ends at the org's current maximum from its creation.
 */
export async function isBrowserTrusted(db: Queryable, tenantId: string, accountId: string, cookieValue: string | undefined, policy: Policy, now: Date): Promise<boolean> {
  const parsed = cookieValue ? parseToken(cookieValue) : null;
  if (!parsed) return false;
  const [row] = await db.query<Row>(
    'SELECT id, account_id, secret_hash, name, validity, created_at, last_used_at, expires_at FROM trusted_browser WHERE tenant_id = $1 AND id = $2',
    [tenantId, parsed.id],
  );
  if (!row || row.account_id !== accountId || !secretMatches(parsed.secret, row.secret_hash)) return false;
  if (policy.maxCodeValidityDays === 0) return false;
  // Whatever the choice, never beyond the org's maximum from the code (a sliding `1h` included).
  const validity = effectiveValidity(row.validity, policy);
  const created = row.created_at.getTime();
  const choiceEnd = validity === '1h' ? Infinity : created + validitySeconds[validity] * 1000;
  const end = Math.min(row.expires_at.getTime(), choiceEnd, created + policy.maxCodeValidityDays * 86400_000);
  if (end <= now.getTime()) return false;
  if (now.getTime() - row.last_used_at.getTime() >= 60_000) {
    const slide = row.validity === '1h' ? addSeconds(now, validitySeconds['1h']) : row.expires_at;
    await db.query('UPDATE trusted_browser SET last_used_at = $3, expires_at = $4 WHERE tenant_id = $1 AND id = $2', [tenantId, row.id, now, slide]);
  }
  return true;
}

export async function listTrustedBrowsers(db: Queryable, tenantId: string, accountId: string, now: Date): Promise<TrustedBrowser[]> {
  const rows = await db.query<Row>(
    `SELECT id, account_id, secret_hash, name, validity, created_at, last_used_at, expires_at FROM trusted_browser
      WHERE tenant_id = $1 AND account_id = $2 AND expires_at > $3 ORDER BY last_used_at DESC`,
    [tenantId, accountId, now],
  );
  return rows.map(toTrusted);
}

export async function removeTrustedBrowser(db: Queryable, tenantId: string, accountId: string, id: string): Promise<boolean> {
  const rows = await db.query('DELETE FROM trusted_browser WHERE tenant_id = $1 AND account_id = $2 AND id = $3 RETURNING id', [tenantId, accountId, id]);
  return rows.length === 1;
}

export async function removeAllTrustedBrowsers(db: Queryable, tenantId: string, accountId: string): Promise<void> {
  await db.query('DELETE FROM trusted_browser WHERE tenant_id = $1 AND account_id = $2', [tenantId, accountId]);
}

/** A readable name for a browser from its User-Agent, for the list of trusted browsers. */
export function browserName(userAgent: string | null): string {
  if (!userAgent) return 'Browser';
  const browser = /Edg\//.test(userAgent) ? 'Edge' : /Firefox\//.test(userAgent) ? 'Firefox' : /Chrome\//.test(userAgent) ? 'Chrome' : /Safari\//.test(userAgent) ? 'Safari' : 'Browser';
  const system = /Windows/.test(userAgent) ? 'Windows' : /Android/.test(userAgent) ? 'Android' : /iPhone|iPad/.test(userAgent) ? 'iOS' : /Mac OS X/.test(userAgent) ? 'macOS' : /Linux/.test(userAgent) ? 'Linux' : '';
  return system ? `${browser} (${system})` : browser;
}
