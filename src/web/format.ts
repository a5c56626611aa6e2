import type { Locale } from '../tenants/organizations.js';

/** A moment as people in the Netherlands read it (the service's time zone), in the page's language. */
export function formatTime(date: Date, locale: Locale): string {
  return new Intl.DateTimeFormat(locale === 'nl' ? 'nl-NL' : 'en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'Europe/Amsterdam' }).format(date);
}
