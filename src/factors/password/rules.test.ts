import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hashPassword } from './hashing.js';
import { checkNewPassword, type PasswordContext, type PasswordPolicy } from './rules.js';

const policy: PasswordPolicy = { passwordMinLength: 12, passwordRequireSpecial: true };
const context: PasswordContext = { email: 'Jan.Peeters@example.be', orgName: 'Zorgpunt Gent', orgSlug: 'zpg' };

function check(password: string, overrides: Partial<Parameters<typeof checkNewPassword>[0]> = {}) {
  return checkNewPassword({ policy, context, password, passwordConfirm: password, currentPasswordHash: null, ...overrides });
}

test('a long passphrase with spaces is accepted', async () => {
  assert.deepEqual(await check('paars kanaal vliegt zeventien'), []);
});

test('spaces and any Unicode are allowed, and count as special', async () => {
  assert.deepEqual(await check('ĳsbeer op één been 🐻‍❄️'), []);
  assert.deepEqual(await check('Ζωγραφίζω με χρώματα'), []);
  assert.deepEqual(await check('明天我们去医院看医生 谢谢'), []);
});

test('too_short below the policy minimum, counted in code points of the NFKC form', async () => {
  assert.deepEqual(await check('kort! woord'), ['too_short']); // 11
  assert.deepEqual(await check('kort! woord2'), []); // 12
  // Twelve astral-plane characters are 24 UTF-16 units but 12 characters.
  assert.deepEqual(await check('🌷🌼🌻🌹🥀🌺🌸💐🪻🪷🍀🌿'), []);
  assert.deepEqual(await check('🌷🌼🌻🌹🥀🌺🌸💐🪻🪷🍀'), ['too_short']);
  assert.deepEqual(await check(''), ['too_short', 'needs_special']);
});

test('too_long above 128 characters: refused, never truncated', async () => {
  const exactly128 = 'ab cd '.repeat(21) + 'ef';
  assert.equal([...exactly128].length, 128);
  assert.deepEqual(await check(exactly128), []);
  assert.deepEqual(await check(exactly128 + 'g'), ['too_long']);
  // The limit applies to the NFKC form: "ﬀ" (1 character) becomes "ff" (2).
  assert.deepEqual(await check('ﬀ '.repeat(43)), ['too_long']);
});

test('needs_special when the policy asks for one and only letters and digits are used', async () => {
  assert.deepEqual(await check('Kanaalvliegt17'), ['needs_special']);
  assert.deepEqual(await check('KanaalÉvliegt'), ['needs_special']); // accented letters are letters
  assert.deepEqual(await check('Kanaal vliegt'), []); // a space is special
  assert.deepEqual(await check('Kanaal_vliegt'), []);
});

test('needs_special is off when the policy says so', async () => {
  const relaxed: PasswordPolicy = { passwordMinLength: 12, passwordRequireSpecial: false };
  assert.deepEqual(await check('Kanaalvliegt17', { policy: relaxed }), []);
  assert.deepEqual(await check('kort', { policy: relaxed }), ['too_short']);
});

test('too_common for the top passwords, in any case or width, even when long enough', async () => {
  const relaxed: PasswordPolicy = { passwordMinLength: 8, passwordRequireSpecial: false };
  assert.deepEqual(await check('password', { policy: relaxed }), ['too_common']);
  assert.deepEqual(await check('PASSWORD', { policy: relaxed }), ['too_common']);
  // 12 characters, so only the blocklist stops them.
  assert.deepEqual(await check('1q2w3e4r5t6y', { policy: relaxed }), ['too_common']);
  assert.deepEqual(await check('Qwerty123456', { policy: relaxed }), ['too_common']);
  assert.deepEqual(await check('ｌｅａｖｅｍｅａｌｏｎｅ', { policy: relaxed }), ['too_common']);
  // The exact password only: an entry with something added is not refused by the list.
  assert.deepEqual(await check('leavemealone!'), []);
});

test('contains_email when the e-mail local part appears, in any case', async () => {
  assert.deepEqual(await check('ik ben JAN.PEETERS hoor'), ['contains_email']);
  assert.deepEqual(await check('jan.peeters is mijn naam', { context: { ...context, email: 'JAN.peeters@Example.be' } }), ['contains_email']);
  // Other parts of the address are fine, and local parts under 3 characters are ignored.
  assert.deepEqual(await check('example.be is mijn domein'), []);
  assert.deepEqual(await check('jo en zijn fiets', { context: { ...context, email: 'jo@example.be' } }), []);
});

test('contains_org for the org name, the name without spaces, and the slug, in any case', async () => {
  assert.deepEqual(await check('Ik werk bij ZORGPUNT GENT!'), ['contains_org']);
  assert.deepEqual(await check('zorgpuntgent is top 42'), ['contains_org']);
  assert.deepEqual(await check('mijn ZPG wachtwoord'), ['contains_org']);
  assert.deepEqual(await check('zorg en punt in gent'), []);
  // Names and slugs under 3 characters would refuse too much, so they are ignored.
  assert.deepEqual(await check('az is een afkorting', { context: { ...context, orgName: 'AZ', orgSlug: 'az' } }), []);
});

test('mismatch when the confirmation differs, compared in NFKC form', async () => {
  assert.deepEqual(await check('paars kanaal vliegt', { passwordConfirm: 'paars kanaal vliegt!' }), ['mismatch']);
  assert.deepEqual(await check('paars kanaal vliegt', { passwordConfirm: 'ｐａｒｓ kanaal vliegt' }), ['mismatch']);
  assert.deepEqual(await check('paars kanaal vliegt', { passwordConfirm: 'ｐａａｒｓ kanaal vliegt' }), []);
});

test('same_as_current when the new password equals the current one, also via NFKC', async () => {
  const currentPasswordHash = await hashPassword('paars kanaal vliegt');
  assert.deepEqual(await check('paars kanaal vliegt', { currentPasswordHash }), ['same_as_current']);
  assert.deepEqual(await check('ｐａａｒｓ　ｋａｎａａｌ　ｖｌｉｅｇｔ', { currentPasswordHash }), ['same_as_current']);
  assert.deepEqual(await check('groen kanaal vliegt', { currentPasswordHash }), []);
});

test('same_as_current is only looked at when nothing else is wrong', async () => {
  const currentPasswordHash = await hashPassword('kort');
  assert.deepEqual(await check('kort', { currentPasswordHash }), ['too_short', 'needs_special']);
});

test('every problem is reported at once, in a fixed order', async () => {
  const tiny: PasswordContext = { email: 'pas@example.be', orgName: 'Word', orgSlug: 'wor' };
  assert.deepEqual(await check('password', { context: tiny, passwordConfirm: 'other' }), [
    'too_short',
    'needs_special',
    'too_common',
    'contains_email',
    'contains_org',
    'mismatch',
  ]);
});
