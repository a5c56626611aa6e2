/**
 * Turns user input (a name, an org name, a subject) into a single line. A line break in a mail
 * header ends that header, so `Name\r\nBcc: x@evil` would add a Bcc header (RFC 5322 §2.2);
 * NEL and the Unicode line and paragraph separators count too, because some clients break on them.
 */
export function flattenToOneLine(text: string): string {
  return text
    .replace(/[\p{Cc}\u2028\u2029]+/gu, ' ')
    .replace(/ {2,}/g, ' ')
    .trim();
}
