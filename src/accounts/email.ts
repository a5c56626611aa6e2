/** E-mail addresses compare trimmed, Unicode NFC, lower case (SPEC 2); the typed form is kept for display. */
export function normalizeEmail(email: string): string {
  return email.trim().normalize('NFC').toLowerCase();
}

/**
 * A deliberately plain shape check: one @, no spaces or control characters, a dot in the domain.
 * Deliverability is proven by the welcome mail itself, not by a regular expression.
 */
export function isPlausibleEmail(email: string): boolean {
  const trimmed = email.trim();
  return trimmed.length <= 254 && /^[^\s@\p{Cc}]+@[^\s@\p{Cc}]+\.[^\s@\p{Cc}]+$/u.test(trimmed);
}
