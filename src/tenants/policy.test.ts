import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyPolicyChanges, defaultPolicy, policyFromStored, policyKeys, weakenedKeys, type Policy } from './policy.js';

const specDefaults: Policy = {
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
  smsCountries: ['NL'],
  smsDailyLimit: 500,
  passkeysRequiredForStaff: false,
  timeZone: 'Europe/Amsterdam',
};

const fresh = (): Policy => ({ ...defaultPolicy, twoFactorMethods: [...defaultPolicy.twoFactorMethods], smsCountries: [...defaultPolicy.smsCountries] });

function accepted(key: string, raw: string): unknown {
  const result = applyPolicyChanges(fresh(), { [key]: raw });
  assert.ok(result.ok, `${key}=${raw} should be accepted`);
  return (result.policy as unknown as Record<string, unknown>)[key];
}

function refused(key: string, raw: string): void {
  const before = fresh();
  const snapshot = structuredClone(before);
  const result = applyPolicyChanges(before, { [key]: raw });
  assert.equal(result.ok, false, `${key}=${JSON.stringify(raw)} should be refused`);
  if (!result.ok) {
    assert.equal(result.key, key);
    assert.match(result.problem, /\S/);
  }
  assert.deepEqual(before, snapshot);
}

test('the defaults are exactly those of SPEC section 1', () => {
  assert.deepEqual({ ...defaultPolicy, twoFactorMethods: [...defaultPolicy.twoFactorMethods] }, specDefaults);
  assert.deepEqual([...policyKeys].sort(), Object.keys(specDefaults).sort());
});

test('the defaults cannot be changed by accident', () => {
  assert.ok(Object.isFrozen(defaultPolicy));
  const result = applyPolicyChanges(defaultPolicy, { passwordMinLength: '20', twoFactorMethods: 'totp' });
  assert.ok(result.ok);
  assert.equal(defaultPolicy.passwordMinLength, 12);
  assert.deepEqual(defaultPolicy.twoFactorMethods, ['totp', 'sms', 'passkey']);
});

test('selfRegistration and passwordRequireSpecial take true or false', () => {
  for (const key of ['selfRegistration', 'passwordRequireSpecial']) {
    assert.equal(accepted(key, 'true'), true);
    assert.equal(accepted(key, 'false'), false);
    assert.equal(accepted(key, ' true '), true);
    for (const bad of ['yes', '1', '0', 'TRUE', '', 'on']) refused(key, bad);
  }
});

test('twoFactorClients and twoFactorStaff take off, optional or required', () => {
  for (const key of ['twoFactorClients', 'twoFactorStaff']) {
    for (const value of ['off', 'optional', 'required']) assert.equal(accepted(key, value), value);
    for (const bad of ['on', 'Required', '', 'none', 'true']) refused(key, bad);
  }
});

test('twoFactorMethods takes a non-empty subset of totp, sms and passkey', () => {
  assert.deepEqual(accepted('twoFactorMethods', 'passkey'), ['passkey']);
  assert.deepEqual(accepted('twoFactorMethods', 'totp,passkey'), ['totp', 'passkey']);
  assert.deepEqual(accepted('twoFactorMethods', 'totp,sms'), ['totp', 'sms']);
  assert.deepEqual(accepted('twoFactorMethods', 'totp'), ['totp']);
  assert.deepEqual(accepted('twoFactorMethods', 'sms'), ['sms']);
  assert.deepEqual(accepted('twoFactorMethods', 'totp, sms'), ['totp', 'sms']);
  assert.deepEqual(accepted('twoFactorMethods', 'totp,totp'), ['totp']);
  refused('twoFactorMethods', '');
  refused('twoFactorMethods', ',');
  refused('twoFactorMethods', 'email');
  refused('twoFactorMethods', 'totp,email');
  refused('twoFactorMethods', 'TOTP');
});

test('passwordMinLength: at least 8 (SPEC), whole numbers only', () => {
  assert.equal(accepted('passwordMinLength', '8'), 8);
  assert.equal(accepted('passwordMinLength', '14'), 14);
  refused('passwordMinLength', '7');
  refused('passwordMinLength', '0');
  refused('passwordMinLength', '-12');
  refused('passwordMinLength', '12.5');
  refused('passwordMinLength', 'twelve');
  refused('passwordMinLength', '');
  refused('passwordMinLength', 'NaN');
  refused('passwordMinLength', 'Infinity');
  // Passwords are at most 128 characters (SPEC 3), so a larger minimum would lock everyone out.
  refused('passwordMinLength', '129');
});

test('a refusal of passwordMinLength=7 names the key', () => {
  const result = applyPolicyChanges(fresh(), { passwordMinLength: '7' });
  assert.deepEqual(result.ok, false);
  if (!result.ok) {
    assert.equal(result.key, 'passwordMinLength');
    assert.match(result.problem, /8/);
  }
});

test('the time limits take positive whole numbers', () => {
  for (const [key, good] of [
    ['idleMinutes', '30'],
    ['absoluteHours', '8'],
    ['welcomeLinkHours', '72'],
    ['resetLinkMinutes', '30'],
    ['maxCodeValidityDays', '30'],
  ] as const) {
    assert.equal(accepted(key, good), Number(good));
    for (const bad of ['-1', '1.5', 'abc', '1e9']) refused(key, bad);
    // 0 days means "never trust a browser" for maxCodeValidityDays; for the others it is no limit at all.
    if (key !== 'maxCodeValidityDays') refused(key, '0');
  }
});

test('an empty value is refused, not read as 0 (an empty admin form field must not switch off trusted browsers)', () => {
  refused('maxCodeValidityDays', '');
  refused('maxCodeValidityDays', '   ');
  refused('passwordMinLength', '');
});

test('numbers are written in decimal digits: hex and exponent notation are refused', () => {
  refused('passwordMinLength', '0x10');
  refused('passwordMinLength', '1e1');
  refused('maxCodeValidityDays', '0b11');
  refused('idleMinutes', '+30');
});

test('maxCodeValidityDays may not go beyond the longest choice a user has (30d)', () => {
  assert.equal(accepted('maxCodeValidityDays', '7'), 7);
  refused('maxCodeValidityDays', '31');
});

test('an unknown key is refused and named', () => {
  const result = applyPolicyChanges(fresh(), { passwordMaxLength: '64' });
  assert.equal(result.ok, false);
  if (!result.ok) assert.equal(result.key, 'passwordMaxLength');
  for (const key of ['__proto__', 'constructor', 'toString', 'selfregistration']) {
    const r = applyPolicyChanges(fresh(), { [key]: 'true' });
    assert.equal(r.ok, false, key);
  }
});

test('several good changes apply together and leave the input alone', () => {
  const before = fresh();
  const result = applyPolicyChanges(before, { selfRegistration: 'true', passwordMinLength: '14', twoFactorMethods: 'totp' });
  assert.ok(result.ok);
  assert.deepEqual(result.policy, { ...specDefaults, selfRegistration: true, passwordMinLength: 14, twoFactorMethods: ['totp'] });
  assert.deepEqual(before, specDefaults);
  assert.notEqual(result.policy, before);
  assert.notEqual(result.policy.twoFactorMethods, before.twoFactorMethods);
});

test('one bad change refuses the whole set, and nothing is changed', () => {
  const before = fresh();
  const result = applyPolicyChanges(before, { selfRegistration: 'true', twoFactorMethods: 'sms', passwordMinLength: '7' });
  assert.equal(result.ok, false);
  if (!result.ok) assert.equal(result.key, 'passwordMinLength');
  assert.deepEqual(before, specDefaults);
});

test('no changes give the same policy', () => {
  const result = applyPolicyChanges(fresh(), {});
  assert.ok(result.ok);
  assert.deepEqual(result.policy, specDefaults);
});

test('a stored policy is read back', () => {
  const stored = { ...specDefaults, selfRegistration: true, twoFactorStaff: 'optional', twoFactorMethods: ['totp'], passwordMinLength: 16, idleMinutes: 15 };
  assert.deepEqual(policyFromStored(stored), stored);
  assert.deepEqual(policyFromStored(JSON.parse(JSON.stringify(stored))), stored);
});

test('missing keys take the defaults', () => {
  assert.deepEqual(policyFromStored({}), specDefaults);
  assert.deepEqual(policyFromStored({ passwordMinLength: 20 }), { ...specDefaults, passwordMinLength: 20 });
});

test('stored garbage falls back to the default, key by key', () => {
  const stored = {
    selfRegistration: 'maybe',
    twoFactorClients: 'required',
    twoFactorStaff: 42,
    twoFactorMethods: ['email'],
    passwordMinLength: 4,
    passwordRequireSpecial: false,
    idleMinutes: -5,
    absoluteHours: 'x',
    maxCodeValidityDays: null,
    welcomeLinkHours: { evil: true },
    resetLinkMinutes: 30,
    unknownKey: 'ignored',
  };
  assert.deepEqual(policyFromStored(stored), {
    ...specDefaults,
    twoFactorClients: 'required',
    passwordRequireSpecial: false,
    resetLinkMinutes: 30,
  });
});

test('a stored value that is not an object gives the defaults', () => {
  for (const stored of [null, undefined, 'garbage', 42, true, []]) assert.deepEqual(policyFromStored(stored), specDefaults, String(stored));
});

test('a stored __proto__ key does not leak into the policy or Object.prototype', () => {
  const stored = JSON.parse('{"__proto__": {"selfRegistration": true, "polluted": 1}, "idleMinutes": 30}') as unknown;
  const policy = policyFromStored(stored);
  assert.deepEqual(policy, { ...specDefaults, idleMinutes: 30 });
  assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
});

test('policies read from storage do not share the default methods array', () => {
  const a = policyFromStored({});
  a.twoFactorMethods.push('sms');
  assert.deepEqual(policyFromStored({}).twoFactorMethods, ['totp', 'sms', 'passkey']);
  assert.deepEqual(defaultPolicy.twoFactorMethods, ['totp', 'sms', 'passkey']);
});

test('weakenedKeys names exactly the changes that make the policy less strict (SECURITY 40)', async () => {
  const { weakenedKeys } = await import('./policy.js');
  const base = { ...defaultPolicy, twoFactorMethods: ['totp' as const], passkeysRequiredForStaff: true };
  const weaker = { ...base, twoFactorStaff: 'optional' as const, twoFactorClients: 'off' as const, twoFactorMethods: ['totp' as const, 'sms' as const], passwordMinLength: 10, passwordRequireSpecial: false, passwordMinGuessesLog10: 7, idleMinutes: 120, absoluteHours: 24, maxCodeValidityDays: 30, welcomeLinkHours: 300, resetLinkMinutes: 120, selfRegistration: true, smsCountries: ['NL', 'GB'], smsDailyLimit: 5000, passkeysRequiredForStaff: false };
  // Every key but the time zone, which only says how times read.
  assert.deepEqual(new Set(weakenedKeys(base, weaker)), new Set(Object.keys(defaultPolicy).filter((key) => key !== 'timeZone')));
  const stricter = { ...base, twoFactorClients: 'required' as const, passwordMinLength: 16, idleMinutes: 15, absoluteHours: 4, maxCodeValidityDays: 0, welcomeLinkHours: 24, resetLinkMinutes: 15, smsDailyLimit: 50 };
  assert.deepEqual(weakenedKeys(base, stricter), []);
  assert.deepEqual(weakenedKeys({ ...base, smsCountries: ['NL', 'BE'] }, { ...base, smsCountries: ['BE'] }), [], 'fewer countries is stricter');
  assert.deepEqual(weakenedKeys({ ...base, twoFactorMethods: ['totp', 'sms'] }, { ...base, twoFactorMethods: ['sms'] }), ['twoFactorMethods'], 'SMS alone is weaker than the app');
  assert.deepEqual(weakenedKeys({ ...base, twoFactorMethods: ['totp', 'sms'] }, { ...base, twoFactorMethods: ['totp'] }), [], 'dropping SMS is stricter');
  assert.deepEqual(weakenedKeys({ ...base, twoFactorMethods: ['totp', 'passkey'] }, { ...base, twoFactorMethods: ['totp'] }), ['twoFactorMethods'], 'passkeys no longer a second step');
  assert.deepEqual(weakenedKeys({ ...base, twoFactorMethods: ['totp'] }, { ...base, twoFactorMethods: ['totp', 'passkey'] }), [], 'passkeys added is no weakening');
});

test('passwordMinGuessesLog10 takes whole numbers from 6 to 14, default 9 (SPEC 1, 3)', () => {
  assert.equal(defaultPolicy.passwordMinGuessesLog10, 9);
  for (const good of ['6', '9', '14']) assert.equal(accepted('passwordMinGuessesLog10', good), Number(good));
  for (const bad of ['5', '15', '9.5', '', 'ten']) refused('passwordMinGuessesLog10', bad);
});

test('SECURITY 36: smsCountries takes 1 to 30 known ISO codes, smsDailyLimit 1 to 100,000', () => {
  assert.deepEqual(accepted('smsCountries', 'nl, be,NL'), ['NL', 'BE']);
  for (const bad of ['', 'XX', 'NLD', 'NL;BE', 'nl,zz', Array.from({ length: 31 }, () => 'NL').map((_, i) => ['NL', 'BE', 'DE', 'FR', 'GB', 'ES', 'IT', 'PT', 'AT', 'CH', 'DK', 'SE', 'NO', 'FI', 'PL', 'CZ', 'SK', 'HU', 'RO', 'BG', 'GR', 'IE', 'LU', 'SI', 'HR', 'EE', 'LV', 'LT', 'MT', 'CY', 'IS'][i]).join(',')]) refused('smsCountries', bad);
  assert.equal(accepted('smsDailyLimit', '20'), 20);
  for (const bad of ['0', '100001', 'many', '-5']) refused('smsDailyLimit', bad);
});

test('passkeysRequiredForStaff: true only where staff two-step verification is required and passkeys count', () => {
  assert.equal(accepted('passkeysRequiredForStaff', 'true'), true);
  refused('passkeysRequiredForStaff', 'yes');
  const offForStaff = applyPolicyChanges(fresh(), { passkeysRequiredForStaff: 'true', twoFactorStaff: 'optional' });
  assert.ok(!offForStaff.ok && offForStaff.key === 'passkeysRequiredForStaff' && /twoFactorStaff=required/.test(offForStaff.problem));
  const noPasskeys = applyPolicyChanges(fresh(), { passkeysRequiredForStaff: 'true', twoFactorMethods: 'totp,sms' });
  assert.ok(!noPasskeys.ok && noPasskeys.key === 'passkeysRequiredForStaff');
  // Once in force, the keys it rests on cannot be taken away under it.
  const required = applyPolicyChanges(fresh(), { passkeysRequiredForStaff: 'true' });
  assert.ok(required.ok);
  assert.equal(applyPolicyChanges(required.policy, { twoFactorMethods: 'totp' }).ok, false);
  // Stored keys that contradict each other are read the strict way, in any order.
  const stored = policyFromStored({ passkeysRequiredForStaff: true, twoFactorMethods: ['totp'], twoFactorStaff: 'optional' });
  assert.equal(stored.passkeysRequiredForStaff, true);
  assert.equal(stored.twoFactorStaff, 'required');
  assert.deepEqual(stored.twoFactorMethods, ['totp', 'passkey']);
});

test('timeZone: an IANA zone (SPEC 1), default Europe/Amsterdam; never a weakening', () => {
  assert.equal(defaultPolicy.timeZone, 'Europe/Amsterdam');
  assert.equal(accepted('timeZone', 'America/Curacao'), 'America/Curacao');
  assert.equal(accepted('timeZone', 'UTC'), 'UTC');
  refused('timeZone', 'Mars/Olympus');
  refused('timeZone', 'europe/amsterdam');
  refused('timeZone', '');
  assert.deepEqual(weakenedKeys(defaultPolicy, { ...defaultPolicy, timeZone: 'Europe/London' }), []);
});
