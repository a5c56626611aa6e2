import { escapeHtml } from '../core/html.js';
import type { Deps } from '../deps.js';
import { darken, defaultBrandColor, lighten } from '../tenants/brand-color.js';
import { findBrandImage } from '../tenants/branding.js';
import type { Organization } from '../tenants/organizations.js';

/** The organization's colours: its own (or Ingang's), a darker one for hover and pressed, a light tint behind notices. */
export function brandColorsOf(org: Organization): { color: string; dark: string; tint: string } {
  const color = org.brand.color ?? defaultBrandColor;
  return { color, dark: darken(color, 0.25), tint: lighten(color, 0.9) };
}

/**
 * The one per-organization stylesheet (the CSP allows no inline style): custom properties that
 * the theme in static/app.css builds on. Only a checked `#rrggbb` ever reaches it.
 */
export function brandStylesheet(org: Organization): string {
  const { color, dark, tint } = brandColorsOf(org);
  return `:root { --ingang-brand: ${color}; --ingang-brand-dark: ${dark}; --ingang-brand-tint: ${tint}; }\n`;
}

/** The version in the stylesheet's URL: the colour itself (derived, no hashing on every page), so the file can be cached for a year. */
export function brandStylesheetVersion(org: Organization): string {
  return brandColorsOf(org).color.slice(1);
}

export interface BrandFile {
  contentType: string;
  data: Buffer;
  /** The version its URL carries. */
  digest: string;
}

/** The logo as uploaded, or null. */
export async function findLogo(deps: Deps, org: Organization): Promise<BrandFile | null> {
  return org.brand.logoDigest === null ? null : findBrandImage(deps.db, org.tenantId, 'logo');
}

/** The favicon: its own, else the logo, else the organization's initial on its colour. */
export async function findFavicon(deps: Deps, org: Organization): Promise<BrandFile> {
  const own = org.brand.faviconDigest !== null ? await findBrandImage(deps.db, org.tenantId, 'favicon') : null;
  return own ?? (await findLogo(deps, org)) ?? generatedFavicon(org);
}

/** The version in the favicon's URL, known without reading or drawing the image. */
export function faviconVersion(org: Organization): string {
  return org.brand.faviconDigest ?? org.brand.logoDigest ?? `i${brandColorsOf(org).color.slice(1)}${initialOf(org).codePointAt(0)!.toString(16)}`;
}

const initialOf = (org: Organization) => [...org.name.trim()][0]?.toLocaleUpperCase('nl') ?? 'I';

function generatedFavicon(org: Organization): BrandFile {
  const initial = escapeHtml(initialOf(org));
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="6" fill="${brandColorsOf(org).color}"/><text x="16" y="23" font-family="Arial, sans-serif" font-size="20" font-weight="700" text-anchor="middle" fill="#ffffff">${initial}</text></svg>`;
  return { contentType: 'image/svg+xml', data: Buffer.from(svg), digest: faviconVersion(org) };
}
