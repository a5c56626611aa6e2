import { createHmac } from 'node:crypto';
// The full metadata ("max"): only it knows a number's type (mobile, premium rate, …).
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';
import type { Failure, Ok } from '../../core/outcome.js';
import { deriveKey, openSecret, sealSecret } from '../../core/secret-box.js';

export type SmsNumberProblem = 'invalid_phone' | 'phone_not_mobile' | 'phone_country';

/**
 * Ranges libphonenumber types as mobile that are for machines, not people: the Dutch 097 numbers
 * (M2M, telemetry SIMs; also what SMS senders rent). A code sent there reaches no person.
 */
const machineToMachine = ['+3197'];

/**
 * SECURITY 36: a number codes may go to. Typed in international form (`+31 6…`, `0031 6…`) or in
 * the national form of one of the org's `countries` (`06 12345678`); it must
 * be one libphonenumber types as mobile (or, where a plan cannot tell, fixed line or mobile), in
 * one of `countries`. Premium-rate, shared-cost, toll-free, VoIP, personal, pager, satellite and
 * other non-geographic numbers, and numbers of unknown type, are refused: they are how an SMS pump
 * earns its money. Gives the number as E.164.
 */
export function acceptSmsNumber(input: string, countries: readonly string[]): Ok<{ e164: string }> | Failure<SmsNumberProblem> {
  const trimmed = input.trim().replace(/^00/, '+');
  if (trimmed === '' || trimmed.length > 32) return { ok: false, error: 'invalid_phone' };
  // National form: read in each of the org's countries (an org of BE and NL takes `06 12345678`).
  const candidates = trimmed.startsWith('+') ? [parsePhoneNumberFromString(trimmed)] : countries.map((country) => parsePhoneNumberFromString(trimmed, country as CountryCode));
  const valid = candidates.filter((candidate) => candidate?.isValid());
  const mobile = valid.filter((candidate) => candidate!.getType() === 'MOBILE' || candidate!.getType() === 'FIXED_LINE_OR_MOBILE');
  // A national number that is a mobile number in two of the countries could reach a stranger: the
  // international form (+31 6…) is asked instead (attack review of issue 12).
  if (new Set(mobile.map((candidate) => candidate!.number)).size > 1) return { ok: false, error: 'invalid_phone' };
  const parsed = mobile[0] ?? valid[0];
  if (!parsed) return { ok: false, error: 'invalid_phone' };
  const type = parsed.getType();
  if (type !== 'MOBILE' && type !== 'FIXED_LINE_OR_MOBILE') return { ok: false, error: 'phone_not_mobile' };
  if (machineToMachine.some((prefix) => parsed.number.startsWith(prefix))) return { ok: false, error: 'phone_not_mobile' };
  // A satellite or other non-geographic number has no country, so it is never in the list.
  if (!parsed.country || !countries.includes(parsed.country)) return { ok: false, error: 'phone_country' };
  return { ok: true, e164: parsed.number };
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
