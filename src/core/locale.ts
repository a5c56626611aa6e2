/** The two languages of every page and message (SPEC 4). */
export type Locale = 'nl' | 'en';

export const locales: readonly Locale[] = ['nl', 'en'];

export function isLocale(value: unknown): value is Locale {
  return value === 'nl' || value === 'en';
}
