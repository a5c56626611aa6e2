import { domainToASCII } from 'node:url';
import type { Locale } from '../tenants/organizations.js';

/** A moment in the page's language and the organization's time zone (policy `timeZone`, SPEC 1). */
export function formatTime(date: Date, locale: Locale, timeZone: string): string {
  return new Intl.DateTimeFormat(locale === 'nl' ? 'nl-NL' : 'en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone }).format(date);
}

/**
 * How staff pages show an address: as it is, and where its domain is an international one, with
 * the domain's ASCII (punycode) form beside it, so that `bücher.example` and `xn--bcher-kva.example`
 * — or a Cyrillic look-alike — can be told apart (SECURITY 39).
 */
export function emailForStaff(email: string): string {
  const at = email.lastIndexOf('@');
  if (at < 0) return email;
  const domain = email.slice(at + 1);
  const ascii = /^[\x00-\x7f]*$/.test(domain) ? domain : domainToASCII(domain);
  const local = email.slice(0, at);
  const localAscii = /^[\x00-\x7f]*$/.test(local);
  if (ascii === domain && localAscii) return email;
  const shownDomain = ascii === '' ? `${domain} (not a valid domain)` : ascii;
  return `${email} (${localAscii ? local : [...local].map((c) => (c.charCodeAt(0) < 0x80 ? c : `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`)).join('')}@${shownDomain})`;
}

/** Country codes as names in the page's language: `NL, BE` → `Nederland, België`. */
export function formatCountries(codes: readonly string[], locale: Locale): string {
  const names = new Intl.DisplayNames([locale === 'nl' ? 'nl-NL' : 'en-GB'], { type: 'region' });
  return codes.map((code) => names.of(code) ?? code).join(', ');
}
