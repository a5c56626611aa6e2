import { recordAudit, type RequestContext } from '../../audit/audit.js';
import { failure, ok, type Failure, type Ok } from '../../core/outcome.js';
import type { Deps } from '../../deps.js';
import { checkBrandColor, type BrandColorFailure } from '../../tenants/brand-color.js';
import { checkBrandImage, type BrandImage, type BrandImageFailure } from '../../tenants/brand-image.js';
import { removeBrandImage, saveBrandColor, saveBrandImage, type BrandImageKind } from '../../tenants/branding.js';
import type { Organization } from '../../tenants/organizations.js';
import type { PolicyChanger } from './policy.js';
import { stepUp, type StepUpFailure } from '../step-up.js';

export { defaultBrandColor, minimumContrast } from '../../tenants/brand-color.js';
export { maxBrandImageBytes } from '../../tenants/brand-image.js';
export { findBrandImage } from '../../tenants/branding.js';

/**
 * What to change; a key left out stays as it is. `color: ''` goes back to Ingang's colour, an
 * image `'remove'` takes it away.
 */
export interface BrandingChange {
  color?: string;
  logo?: Buffer | 'remove';
  favicon?: Buffer | 'remove';
}

export type BrandingProblem = BrandColorFailure | BrandImageFailure;
export type BrandingFailure = Failure<'invalid_branding', { problems: Partial<Record<keyof BrandingChange, BrandingProblem>> }> | StepUpFailure;

/**
 * Changes an organization's look (SPEC 6): every value is checked first and one bad value changes
 * nothing; an admin proves the password (and a code) every time; the change is audited.
 */
export async function changeOrganizationBranding(
  deps: Deps,
  org: Organization,
  by: PolicyChanger,
  client: RequestContext,
  change: BrandingChange,
): Promise<Ok<{ changed: string[] }> | BrandingFailure> {
  const problems: Partial<Record<keyof BrandingChange, BrandingProblem>> = {};
  let color: string | null | undefined;
  if (change.color !== undefined) {
    if (change.color.trim() === '') color = null;
    else {
      const checked = checkBrandColor(change.color);
      if (checked.ok) color = checked.color;
      else problems.color = checked;
    }
  }
  const images: Partial<Record<BrandImageKind, BrandImage | 'remove'>> = {};
  for (const kind of ['logo', 'favicon'] as const) {
    const given = change[kind];
    if (given === undefined || given === 'remove') {
      if (given === 'remove') images[kind] = 'remove';
      continue;
    }
    const checked = checkBrandImage(given);
    if (checked.ok) images[kind] = checked.image;
    else problems[kind] = checked;
  }
  if (Object.keys(problems).length > 0) return failure('invalid_branding', { problems });
  const changed = [
    ...(color !== undefined && color !== org.brand.color ? ['color'] : []),
    ...(['logo', 'favicon'] as const).filter((kind) => {
      const image = images[kind];
      const current = kind === 'logo' ? org.brand.logoDigest : org.brand.faviconDigest;
      return image === 'remove' ? current !== null : image !== undefined && image.digest !== current;
    }),
  ];
  if (changed.length === 0) return ok({ changed });
  if (by.kind === 'admin') {
    const proved = await stepUp(deps, org, client, by.target, 'change_branding', by.proofs);
    if (!proved.ok) return proved;
  }
  const now = deps.clock.now();
  await deps.db.transaction(async (tx) => {
    if (changed.includes('color')) await saveBrandColor(tx, org.tenantId, color ?? null);
    for (const kind of ['logo', 'favicon'] as const) {
      const image = images[kind];
      if (!changed.includes(kind) || image === undefined) continue;
      if (image === 'remove') await removeBrandImage(tx, org.tenantId, kind);
      else await saveBrandImage(tx, org.tenantId, kind, image, now);
    }
    const describe = (kind: BrandImageKind) => {
      const image = images[kind];
      return image === 'remove' ? 'removed' : `${image!.contentType} ${image!.digest}`;
    };
    await recordAudit(tx, now, client, {
      tenantId: org.tenantId,
      event: 'branding_changed',
      outcome: 'success',
      actorAccountId: by.kind === 'admin' ? by.target.account.id : null,
      details: {
        via: by.kind,
        keys: changed.join(','),
        ...(changed.includes('color') ? { color: color ?? 'default' } : {}),
        ...Object.fromEntries((['logo', 'favicon'] as const).filter((kind) => changed.includes(kind)).map((kind) => [kind, describe(kind)])),
      },
    });
  });
  return ok({ changed });
}
