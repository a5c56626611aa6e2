import { parsePhoneNumberFromString } from 'libphonenumber-js';

/** A phone number in international format, as E.164; null when it is no valid number. */
export function normalizePhone(input: string): string | null {
  const trimmed = input.trim();
  if (!trimmed.startsWith('+') && !trimmed.startsWith('00')) return null;
  const parsed = parsePhoneNumberFromString(trimmed.replace(/^00/, '+'));
  return parsed?.isValid() ? parsed.number : null;
}
