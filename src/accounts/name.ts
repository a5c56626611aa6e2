/**
 * A person's name as typed: free text (SPEC 2), trimmed, 1–200 characters, no control characters
 * (a line break in a name could otherwise forge lines in an e-mail that shows it).
 */
export function validName(raw: string): string | null {
  const name = raw.trim();
  return name.length > 0 && name.length <= 200 && !/\p{Cc}/u.test(name) ? name : null;
}
