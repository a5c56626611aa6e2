import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dummyPasswordHash, hashPassword, normalizePassword, passwordVerificationCount, verifyAgainstDummy, verifyPassword } from './hashing.js';

/** `$argon2id$v=19$m=19456,t=2,p=1$salt$hash` → its parts, as any PHC reader would see them. */
function parsePhc(phc: string): { algorithm: string; version: string; params: Record<string, string>; salt: string; digest: string } {
  const [empty, algorithm, version, params, salt, digest, ...rest] = phc.split('$');
  assert.equal(empty, '');
  assert.equal(rest.length, 0);
  assert.ok(algorithm && version && params && salt && digest, `not a PHC string: ${phc}`);
  return { algorithm, version, params: Object.fromEntries(params.split(',').map((kv) => kv.split('=') as [string, string])), salt, digest };
}

test('hashes are argon2id v19 with m=19456 KiB, t=2, p=1 and a fresh salt (SPEC 3)', async () => {
  const first = parsePhc(await hashPassword('correct horse battery staple'));
  const second = parsePhc(await hashPassword('correct horse battery staple'));
  assert.equal(first.algorithm, 'argon2id');
  assert.equal(first.version, 'v=19');
  assert.deepEqual(first.params, { m: '19456', t: '2', p: '1' });
  assert.notEqual(first.salt, second.salt);
  assert.notEqual(first.digest, second.digest);
});

test('the right password verifies, a wrong one does not', async () => {
  const stored = await hashPassword('Lange zin met spaties en één accent!');
  assert.equal(await verifyPassword(stored, 'Lange zin met spaties en één accent!'), true);
  assert.equal(await verifyPassword(stored, 'lange zin met spaties en één accent!'), false);
  assert.equal(await verifyPassword(stored, ''), false);
});

test('a password typed in fullwidth or compatibility forms matches its NFKC form', async () => {
  const fullwidth = 'ｐａｓｓｗｏｒｄ　ｏｆ　ｍｉｎｅ１２'; // fullwidth letters, digits and ideographic spaces
  const ligature = 'ﬁsh and chips Ⅻ'; // U+FB01 "fi" ligature and U+216B roman numeral twelve
  assert.equal(normalizePassword(fullwidth), 'password of mine12');
  assert.equal(normalizePassword(ligature), 'fish and chips XII');

  assert.equal(await verifyPassword(await hashPassword(fullwidth), 'password of mine12'), true);
  assert.equal(await verifyPassword(await hashPassword('password of mine12'), fullwidth), true);
  assert.equal(await verifyPassword(await hashPassword(ligature), 'fish and chips XII'), true);
});

test('a composed and a decomposed accent are the same password', async () => {
  const stored = await hashPassword('caf\u00e9 au lait');
  assert.equal(await verifyPassword(stored, 'cafe\u0301 au lait'), true);
});

test('a malformed or foreign stored hash gives false instead of throwing', async () => {
  for (const stored of [
    '',
    'not a hash',
    '$argon2id$v=19$m=19456,t=2,p=1$',
    '$argon2id$v=19$m=abc,t=2,p=1$c2FsdHNhbHQ$aGFzaA',
    '$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW', // bcrypt
  ]) {
    assert.equal(await verifyPassword(stored, 'anything'), false, `for ${JSON.stringify(stored)}`);
  }
});

test('the dummy verify resolves false, for any password, and does the argon2 work of a real one', async () => {
  assert.equal(await verifyAgainstDummy('ingang dummy password, never assigned to an account'), false);
  assert.equal(await verifyAgainstDummy(''), false);

  // The same work as checking a known account: one argon2id verification at the same cost.
  const dummy = parsePhc(await dummyPasswordHash());
  const real = parsePhc(await hashPassword('known account password'));
  assert.equal(dummy.algorithm, real.algorithm);
  assert.equal(dummy.version, real.version);
  assert.deepEqual(dummy.params, real.params, 'memory, passes and lanes as for a real hash');
  assert.equal(Buffer.from(dummy.digest, 'base64').length, Buffer.from(real.digest, 'base64').length);
  const before = passwordVerificationCount();
  await verifyAgainstDummy('a wrong guess');
  assert.equal(passwordVerificationCount() - before, 1, 'one argon2 verification per dummy check');
});
