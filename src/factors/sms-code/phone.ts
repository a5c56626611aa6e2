import { createHmac } from 'node:crypto';
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { deriveKey, openSecret, sealSecret } from '../../core/secret-box.js';

/** A phone number in international format, as E.164; null when it is no valid number. */
export function normalizePhone(input: string): string | null {
  const trimmed = input.trim();
  if (!trimmed.startsWith('+') && !trimmed.startsWith('00')) return null;
  const parsed = parsePhoneNumberFromString(trimmed.replace(/^00/, '+'));
  return parsed?.isValid() ? parsed.number : null;
}

/** Whose number it is: a sealed number opens only for its own account in its own organization. */
export interface PhoneOwner {
  tenantId: string;
  accountId: string;
}

const where = (owner: PhoneOwner) => `${owner.tenantId}:${owner.accountId}`;

/**
 * Phone numbers are personal data next to health data (SECURITY 45): at rest they are sealed with
 * AES-256-GCM under a key derived from SECRET_KEY, bound to the account, like TOTP keys.
 */
export function sealPhone(secretKey: Buffer, owner: PhoneOwner, e164: string): string {
  return sealSecret(deriveKey(secretKey, 'ingang phone number v1'), Buffer.from(e164, 'utf8'), where(owner));
}

/** The number a stored value holds; one stored before numbers were sealed (`+31…`) is read as it is. */
export function openPhone(secretKey: Buffer, owner: PhoneOwner, stored: string): string {
  if (isUnsealedPhone(stored)) return stored;
  return openSecret(deriveKey(secretKey, 'ingang phone number v1'), stored, where(owner)).toString('utf8');
}

export function isUnsealedPhone(stored: string): boolean {
  return stored.startsWith('+');
}

/**
 * What an SMS code remembers of the number it went to: a keyed digest, enough to refuse a code
 * sent to one number for confirming another (SECURITY 11), and no number to read.
 */
export function phoneDigest(secretKey: Buffer, owner: PhoneOwner, e164: string): string {
  return createHmac('sha256', deriveKey(secretKey, 'ingang phone digest v1')).update(`${where(owner)}:${e164}`).digest('base64url');
}

/** How pages show a number (SPEC 8): its country code and its last two digits, `+31 ••• 78`. */
export function maskPhone(e164: string): string {
  const parsed = parsePhoneNumberFromString(e164);
  const country = parsed ? `+${parsed.countryCallingCode}` : '';
  return `${country} ••• ${e164.slice(-2)}`.trim();
}
