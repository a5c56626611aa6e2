import type { Queryable } from '../db/db.js';
import type { BrandImage, BrandImageType } from './brand-image.js';

export type BrandImageKind = 'logo' | 'favicon';

/** The organization's colour; null goes back to Ingang's own. */
export async function saveBrandColor(db: Queryable, tenantId: string, color: string | null): Promise<void> {
  await db.query('UPDATE organization SET brand_color = $2 WHERE tenant_id = $1', [tenantId, color]);
}

/** Stores (or replaces) one image and puts its digest on the organization, so pages link the new version. */
export async function saveBrandImage(db: Queryable, tenantId: string, kind: BrandImageKind, image: BrandImage, now: Date): Promise<void> {
  await db.query(
    `INSERT INTO brand_image (tenant_id, kind, content_type, data, digest, updated_at) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (tenant_id, kind) DO UPDATE SET content_type = EXCLUDED.content_type, data = EXCLUDED.data, digest = EXCLUDED.digest, updated_at = EXCLUDED.updated_at`,
    [tenantId, kind, image.contentType, image.data, image.digest, now],
  );
  await saveDigest(db, tenantId, kind, image.digest);
}

export async function removeBrandImage(db: Queryable, tenantId: string, kind: BrandImageKind): Promise<void> {
  await db.query('DELETE FROM brand_image WHERE tenant_id = $1 AND kind = $2', [tenantId, kind]);
  await saveDigest(db, tenantId, kind, null);
}

export async function findBrandImage(db: Queryable, tenantId: string, kind: BrandImageKind): Promise<{ contentType: BrandImageType; data: Buffer; digest: string } | null> {
  const rows = await db.query<{ content_type: BrandImageType; data: Uint8Array; digest: string }>(
    'SELECT content_type, data, digest FROM brand_image WHERE tenant_id = $1 AND kind = $2',
    [tenantId, kind],
  );
  const row = rows[0];
  return row ? { contentType: row.content_type, data: Buffer.from(row.data), digest: row.digest } : null;
}

async function saveDigest(db: Queryable, tenantId: string, kind: BrandImageKind, digest: string | null): Promise<void> {
  if (kind === 'logo') await db.query('UPDATE organization SET logo_digest = $2 WHERE tenant_id = $1', [tenantId, digest]);
  else await db.query('UPDATE organization SET favicon_digest = $2 WHERE tenant_id = $1', [tenantId, digest]);
}
