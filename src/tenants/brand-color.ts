import { failure, ok, type Failure, type Ok } from '../core/outcome.js';

/** Ingang's own colour, for an organization that chose none: 7.6:1 against white. */
export const defaultBrandColor = '#0b5394';

/** WCAG 2.2 AA, 1.4.3: normal text needs 4.5:1 against its background. */
export const minimumContrast = 4.5;

/** The text on the colour (buttons, the header band) is white; links in the colour stand on white. */
const textOnBrand = '#ffffff';

export type BrandColorFailure = Failure<'invalid_color'> | Failure<'low_contrast', { contrast: number }>;

/**
 * A colour an organization may choose: `#RRGGBB` (case-insensitive, stored lower case) with at
 * least 4.5:1 contrast against white, the text Ingang puts on it. One ratio covers both uses:
 * white text on the colour and the colour as link text on the white page.
 */
export function checkBrandColor(input: string): Ok<{ color: string }> | BrandColorFailure {
  const color = input.trim().toLowerCase();
  if (!/^#[0-9a-f]{6}$/.test(color)) return failure('invalid_color');
  const contrast = contrastRatio(color, textOnBrand);
  if (contrast < minimumContrast) return failure('low_contrast', { contrast: Math.floor(contrast * 100) / 100 });
  return ok({ color });
}

/** WCAG 2.2's relative luminance of an sRGB colour `#rrggbb`. */
export function relativeLuminance(color: string): number {
  const channels = [1, 3, 5].map((i) => Number.parseInt(color.slice(i, i + 2), 16) / 255);
  const [r, g, b] = channels.map((c) => (c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4)) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** WCAG 2.2's contrast ratio, from 1 (none) to 21 (black on white). */
export function contrastRatio(a: string, b: string): number {
  const [light, dark] = [relativeLuminance(a), relativeLuminance(b)].sort((x, y) => y - x) as [number, number];
  return (light + 0.05) / (dark + 0.05);
}

/** The colour mixed toward black by `share` (0–1): hover and pressed states, darker so never less contrast. */
export function darken(color: string, share: number): string {
  const channels = [1, 3, 5].map((i) => Math.round(Number.parseInt(color.slice(i, i + 2), 16) * (1 - share)));
  return `#${channels.map((c) => c.toString(16).padStart(2, '0')).join('')}`;
}

/** The colour mixed toward white by `share`: the tint behind notices, with the text in dark grey on it. */
export function lighten(color: string, share: number): string {
  const channels = [1, 3, 5].map((i) => {
    const c = Number.parseInt(color.slice(i, i + 2), 16);
    return Math.round(c + (255 - c) * share);
  });
  return `#${channels.map((c) => c.toString(16).padStart(2, '0')).join('')}`;
}
