import { isSupportedCountry } from 'libphonenumber-js/max';

/** An organization's policy (SPEC 1). Stored as JSON; missing keys take the defaults below. */
export type TwoFactorRequirement = 'off' | 'optional' | 'required';
/** SPEC 1: what may prove the second step; `passkey` (SPEC 11) counts a passkey as an account's second step. */
export type TwoFactorMethod = 'totp' | 'sms' | 'passkey';
export const twoFactorMethodValues: readonly TwoFactorMethod[] = ['totp', 'sms', 'passkey'];

export interface Policy {
  selfRegistration: boolean;
  twoFactorClients: TwoFactorRequirement;
  twoFactorStaff: TwoFactorRequirement;
  twoFactorMethods: TwoFactorMethod[];
  passwordMinLength: number;
  passwordRequireSpecial: boolean;
  /** SPEC 3: the least zxcvbn-estimated guesses, as a power of 10, a new password must take. */
  passwordMinGuessesLog10: number;
  idleMinutes: number;
  absoluteHours: number;
  maxCodeValidityDays: number;
  welcomeLinkHours: number;
  resetLinkMinutes: number;
  /** SECURITY 36: ISO 3166 codes of the countries whose mobile numbers may receive codes; the first is the org's own. */
  smsCountries: string[];
  /** SECURITY 36: the most SMS messages the org sends in a day. */
  smsDailyLimit: number;
  /** SPEC 1, 11: staff prove their second step with a passkey only (forced setup like 2FA). */
  passkeysRequiredForStaff: boolean;
  /** SPEC 1: the IANA time zone in which pages and mails show times. */
  timeZone: string;
}

export const defaultPolicy: Readonly<Policy> = Object.freeze<Policy>({
  selfRegistration: false,
  twoFactorClients: 'optional',
  twoFactorStaff: 'required',
  twoFactorMethods: ['totp', 'sms', 'passkey'],
  passwordMinLength: 12,
  passwordRequireSpecial: true,
  passwordMinGuessesLog10: 9,
  idleMinutes: 60,
  absoluteHours: 12,
  maxCodeValidityDays: 7,
  welcomeLinkHours: 168,
  resetLinkMinutes: 60,
  // Ingang serves Dutch healthcare: the org's own country is the Netherlands unless it says otherwise.
  smsCountries: ['NL'],
  smsDailyLimit: 500,
  passkeysRequiredForStaff: false,
  timeZone: 'Europe/Amsterdam',
});

/** Whether two-step verification is off, optional or required for an account of this role (SPEC 1). */
export function twoFactorRequirementFor(policy: Policy, role: 'client' | 'professional' | 'helpdesk' | 'admin'): TwoFactorRequirement {
  return role === 'client' ? policy.twoFactorClients : policy.twoFactorStaff;
}

export type PolicyKey = keyof Policy;
export const policyKeys = Object.keys(defaultPolicy) as PolicyKey[];

const requirementRank: Record<TwoFactorRequirement, number> = { off: 0, optional: 1, required: 2 };

/**
 * The keys whose new value makes the policy less strict (SECURITY 40): two-step verification
 * lowered, SMS added as a method, shorter or simpler passwords, longer idle, session, code and
 * link lifetimes, self-registration opened, SMS to more countries or more SMS a day. Such a change
 * is mailed to every admin.
 */
export function weakenedKeys(before: Policy, after: Policy): PolicyKey[] {
  const weaker: Record<PolicyKey, (a: Policy, b: Policy) => boolean> = {
    selfRegistration: (a, b) => !a.selfRegistration && b.selfRegistration,
    twoFactorClients: (a, b) => requirementRank[b.twoFactorClients] < requirementRank[a.twoFactorClients],
    twoFactorStaff: (a, b) => requirementRank[b.twoFactorStaff] < requirementRank[a.twoFactorStaff],
    // SMS added, or the app taken away so that SMS is all that is left; or passkeys no longer a second step.
    twoFactorMethods: (a, b) =>
      (b.twoFactorMethods.includes('sms') && (!a.twoFactorMethods.includes('sms') || (a.twoFactorMethods.includes('totp') && !b.twoFactorMethods.includes('totp')))) ||
      (a.twoFactorMethods.includes('passkey') && !b.twoFactorMethods.includes('passkey')),
    passwordMinLength: (a, b) => b.passwordMinLength < a.passwordMinLength,
    passwordRequireSpecial: (a, b) => a.passwordRequireSpecial && !b.passwordRequireSpecial,
    passwordMinGuessesLog10: (a, b) => b.passwordMinGuessesLog10 < a.passwordMinGuessesLog10,
    idleMinutes: (a, b) => b.idleMinutes > a.idleMinutes,
    absoluteHours: (a, b) => b.absoluteHours > a.absoluteHours,
    maxCodeValidityDays: (a, b) => b.maxCodeValidityDays > a.maxCodeValidityDays,
    welcomeLinkHours: (a, b) => b.welcomeLinkHours > a.welcomeLinkHours,
    resetLinkMinutes: (a, b) => b.resetLinkMinutes > a.resetLinkMinutes,
    // Codes to more countries, or more of them a day: more an SMS pump can cost.
    smsCountries: (a, b) => b.smsCountries.some((c) => !a.smsCountries.includes(c)),
    smsDailyLimit: (a, b) => b.smsDailyLimit > a.smsDailyLimit,
    // Staff allowed back to phishable codes.
    passkeysRequiredForStaff: (a, b) => a.passkeysRequiredForStaff && !b.passkeysRequiredForStaff,
    // How times read is no security setting.
    timeZone: () => false,
  };
  return policyKeys.filter((key) => weaker[key](before, after));
}

type Parsed = { ok: true; value: unknown } | { ok: false; problem: string };

const requirementValues = ['off', 'optional', 'required'];

function integer(min: number, max: number) {
  return (raw: string): Parsed => {
    // Plain decimal digits only: Number() would also take '', '0x10' and '1e1'.
    if (!/^\d{1,6}$/.test(raw)) return { ok: false, problem: `a whole number from ${min} to ${max}` };
    const value = Number(raw);
    return Number.isInteger(value) && value >= min && value <= max
      ? { ok: true, value }
      : { ok: false, problem: `a whole number from ${min} to ${max}` };
  };
}

function boolean(raw: string): Parsed {
  if (raw === 'true') return { ok: true, value: true };
  if (raw === 'false') return { ok: true, value: false };
  return { ok: false, problem: 'true or false' };
}

function requirement(raw: string): Parsed {
  return requirementValues.includes(raw) ? { ok: true, value: raw } : { ok: false, problem: 'off, optional or required' };
}

function methods(raw: string): Parsed {
  const list = raw.split(',').map((m) => m.trim()).filter(Boolean);
  const unique = [...new Set(list)];
  return unique.length > 0 && unique.every((m) => (twoFactorMethodValues as string[]).includes(m))
    ? { ok: true, value: unique }
    : { ok: false, problem: 'a comma-separated list of totp, sms and passkey (at least one)' };
}

function countries(raw: string): Parsed {
  const list = [...new Set(raw.split(',').map((c) => c.trim().toUpperCase()).filter(Boolean))];
  return list.length >= 1 && list.length <= 30 && list.every((c) => /^[A-Z]{2}$/.test(c) && isSupportedCountry(c))
    ? { ok: true, value: list }
    : { ok: false, problem: 'a comma-separated list of 1 to 30 two-letter country codes (ISO 3166), such as NL,BE' };
}

/** The IANA zones this Node knows (`Europe/Amsterdam`, `America/Curacao`…), case as IANA writes them. */
const timeZones = new Set(Intl.supportedValuesOf('timeZone'));

function timeZone(raw: string): Parsed {
  return timeZones.has(raw) || raw === 'UTC' ? { ok: true, value: raw } : { ok: false, problem: 'an IANA time zone, such as Europe/Amsterdam' };
}

/** How each key is read from text (the operator command and the admin form). */
const parsers: Record<PolicyKey, (raw: string) => Parsed> = {
  selfRegistration: boolean,
  twoFactorClients: requirement,
  twoFactorStaff: requirement,
  twoFactorMethods: methods,
  passwordMinLength: integer(8, 128),
  passwordRequireSpecial: boolean,
  passwordMinGuessesLog10: integer(6, 14),
  idleMinutes: integer(1, 24 * 60),
  absoluteHours: integer(1, 24 * 30),
  maxCodeValidityDays: integer(0, 30),
  welcomeLinkHours: integer(1, 24 * 30),
  resetLinkMinutes: integer(5, 24 * 60),
  smsCountries: countries,
  smsDailyLimit: integer(1, 100_000),
  passkeysRequiredForStaff: boolean,
  timeZone,
};

/**
 * A policy whose keys contradict each other: staff made to use passkeys where their two-step
 * verification is not required, or where passkeys do not count as a second step.
 */
export function policyConflict(policy: Policy): { key: PolicyKey; problem: string } | null {
  if (policy.passkeysRequiredForStaff && (policy.twoFactorStaff !== 'required' || !policy.twoFactorMethods.includes('passkey'))) {
    return { key: 'passkeysRequiredForStaff', problem: 'true only with twoFactorStaff=required and passkey among twoFactorMethods' };
  }
  return null;
}

export type PolicyChangeResult = { ok: true; policy: Policy } | { ok: false; error: 'invalid_policy_value'; key: string; problem: string };

/** Applies `key=value` texts to a policy; any bad pair, or keys that contradict each other, refuse the whole change. */
export function applyPolicyChanges(current: Policy, changes: Record<string, string>): PolicyChangeResult {
  const applied = applyEach(current, changes);
  const conflict = applied.ok ? policyConflict(applied.policy) : null;
  return conflict ? { ok: false, error: 'invalid_policy_value', key: conflict.key, problem: `must be ${conflict.problem}` } : applied;
}

function applyEach(current: Policy, changes: Record<string, string>): PolicyChangeResult {
  const next: Policy = { ...current, twoFactorMethods: [...current.twoFactorMethods], smsCountries: [...current.smsCountries] };
  for (const [key, raw] of Object.entries(changes)) {
    if (!(policyKeys as string[]).includes(key)) return { ok: false, error: 'invalid_policy_value', key, problem: `unknown key; known keys: ${policyKeys.join(', ')}` };
    const parsed = parsers[key as PolicyKey](raw.trim());
    if (!parsed.ok) return { ok: false, error: 'invalid_policy_value', key, problem: `must be ${parsed.problem}` };
    (next as unknown as Record<string, unknown>)[key] = parsed.value;
  }
  return { ok: true, policy: next };
}

/** Reads a stored policy, ignoring unknown or malformed keys (they fall back to the default). */
export function policyFromStored(stored: unknown): Policy {
  const texts: Record<string, string> = {};
  if (stored && typeof stored === 'object') {
    for (const [key, value] of Object.entries(stored)) {
      if ((policyKeys as string[]).includes(key)) texts[key] = Array.isArray(value) ? value.join(',') : String(value);
    }
  }
  const policy: Policy = { ...defaultPolicy, twoFactorMethods: [...defaultPolicy.twoFactorMethods], smsCountries: [...defaultPolicy.smsCountries] };
  for (const [key, raw] of Object.entries(texts)) {
    const applied = applyEach(policy, { [key]: raw });
    if (applied.ok) Object.assign(policy, applied.policy);
  }
  // Stored keys that contradict each other fall back to the safe reading: the stricter keys stay.
  if (policyConflict(policy)) return { ...policy, twoFactorStaff: 'required', twoFactorMethods: [...new Set<TwoFactorMethod>([...policy.twoFactorMethods, 'passkey'])] };
  return policy;
}
