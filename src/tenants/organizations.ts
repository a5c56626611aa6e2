import type { Clock } from '../core/clock.js';
import type { RandomSource } from '../core/random.js';
import type { Queryable } from '../db/db.js';
import { hostnameFromHostHeader } from './hostname.js';
import { defaultPolicy, policyFromStored, type Policy } from './policy.js';

import type { Locale } from '../core/locale.js';

export type { Locale };

export interface Organization {
  tenantId: string;
  slug: string;
  name: string;
  defaultLocale: Locale;
  helpdeskContact: string;
  policy: Policy;
  /** Configured host names, the primary one first. */
  hostnames: string[];
  /** Its own look (SPEC 6, `/admin/branding`); null where it chose none. */
  brand: OrganizationBrand;
}

export interface OrganizationBrand {
  color: string | null;
  /** Versions of the stored images (their URLs carry them), null where there is none. */
  logoDigest: string | null;
  faviconDigest: string | null;
}

interface OrganizationRow {
  tenant_id: string;
  slug: string;
  name: string;
  default_locale: Locale;
  helpdesk_contact: string;
  policy: unknown;
  hostnames: string[] | null;
  brand_color: string | null;
  logo_digest: string | null;
  favicon_digest: string | null;
}

const selectOrganization = `
  SELECT o.tenant_id, o.slug, o.name, o.default_locale, o.helpdesk_contact, o.policy, o.brand_color, o.logo_digest, o.favicon_digest,
         (SELECT array_agg(h.hostname ORDER BY h.is_primary DESC, h.hostname)
            FROM organization_host h WHERE h.tenant_id = o.tenant_id) AS hostnames
    FROM organization o`;

function toOrganization(row: OrganizationRow): Organization {
  return {
    tenantId: row.tenant_id,
    slug: row.slug,
    name: row.name,
    defaultLocale: row.default_locale,
    helpdeskContact: row.helpdesk_contact,
    policy: policyFromStored(row.policy),
    hostnames: row.hostnames ?? [],
    brand: { color: row.brand_color, logoDigest: row.logo_digest, faviconDigest: row.favicon_digest },
  };
}

/**
 * Resolves the organization of a request from its Host header: a configured host name, or
 * `<slug>.<baseDomain>`. Anything else is no organization.
 */
export async function findOrganizationByHost(db: Queryable, hostHeader: string | undefined, baseDomain: string): Promise<Organization | null> {
  const hostname = hostnameFromHostHeader(hostHeader);
  if (!hostname) return null;
  const byHost = await db.query<OrganizationRow>(
    `${selectOrganization} WHERE o.tenant_id = (SELECT tenant_id FROM organization_host WHERE hostname = $1)`,
    [hostname],
  );
  if (byHost[0]) return toOrganization(byHost[0]);
  const suffix = `.${baseDomain}`;
  if (!hostname.endsWith(suffix)) return null;
  const slug = hostname.slice(0, -suffix.length);
  if (slug.includes('.')) return null;
  return findOrganizationBySlug(db, slug);
}

export async function findOrganizationBySlug(db: Queryable, slug: string): Promise<Organization | null> {
  const rows = await db.query<OrganizationRow>(`${selectOrganization} WHERE o.slug = $1`, [slug]);
  return rows[0] ? toOrganization(rows[0]) : null;
}

export async function findOrganizationByTenantId(db: Queryable, tenantId: string): Promise<Organization | null> {
  const rows = await db.query<OrganizationRow>(`${selectOrganization} WHERE o.tenant_id = $1`, [tenantId]);
  return rows[0] ? toOrganization(rows[0]) : null;
}

export async function listOrganizations(db: Queryable): Promise<Organization[]> {
  const rows = await db.query<OrganizationRow>(`${selectOrganization} ORDER BY o.slug`);
  return rows.map(toOrganization);
}

export async function countOrganizations(db: Queryable): Promise<number> {
  const rows = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM organization');
  return rows[0]?.n ?? 0;
}

export type CreateOrganizationError = 'invalid_slug' | 'invalid_name' | 'invalid_host' | 'slug_taken' | 'host_taken';

export async function createOrganization(
  db: Queryable,
  deps: { clock: Clock; random: RandomSource },
  input: { slug: string; name: string; hostnames: string[]; defaultLocale: Locale; helpdeskContact?: string },
): Promise<{ ok: true; organization: Organization } | { ok: false; error: CreateOrganizationError; detail?: string }> {
  const slug = input.slug.trim().toLowerCase();
  if (!/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(slug)) return { ok: false, error: 'invalid_slug' };
  const name = input.name.trim();
  if (name.length === 0 || name.length > 200 || /[\u0000-\u001f]/.test(name)) return { ok: false, error: 'invalid_name' };
  const hostnames: string[] = [];
  for (const raw of input.hostnames) {
    const host = hostnameFromHostHeader(raw);
    if (!host || raw.includes(':')) return { ok: false, error: 'invalid_host', detail: raw };
    if (!hostnames.includes(host)) hostnames.push(host);
  }
  if ((await findOrganizationBySlug(db, slug)) !== null) return { ok: false, error: 'slug_taken' };
  for (const host of hostnames) {
    const taken = await db.query('SELECT 1 FROM organization_host WHERE hostname = $1', [host]);
    if (taken.length > 0) return { ok: false, error: 'host_taken', detail: host };
  }
  const tenantId = deps.random.uuid();
  await db.query(
    `INSERT INTO organization (tenant_id, slug, name, default_locale, helpdesk_contact, policy, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [tenantId, slug, name, input.defaultLocale, input.helpdeskContact ?? '', JSON.stringify(defaultPolicy), deps.clock.now()],
  );
  for (const [i, host] of hostnames.entries()) {
    await db.query('INSERT INTO organization_host (tenant_id, hostname, is_primary) VALUES ($1, $2, $3)', [tenantId, host, i === 0]);
  }
  const organization = await findOrganizationBySlug(db, slug);
  return { ok: true, organization: organization! };
}

export async function savePolicy(db: Queryable, tenantId: string, policy: Policy): Promise<void> {
  await db.query('UPDATE organization SET policy = $2 WHERE tenant_id = $1', [tenantId, JSON.stringify(policy)]);
}

/** The host name links in e-mails use: the first configured one, else `<slug>.<baseDomain>`. */
export function primaryHostname(org: Organization, baseDomain: string): string {
  return org.hostnames[0] ?? `${org.slug}.${baseDomain}`;
}
