import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cryptoRandom, type RandomSource } from './random.js';
import { hashSecret, issueToken, parseToken, secretMatches } from './token.js';

const base64url = /^[A-Za-z0-9_-]+$/;

test('a token is id.secret: a 128-bit id and a 256-bit secret, base64url', () => {
  const issued = issueToken(cryptoRandom);
  const [id, secret, ...rest] = issued.token.split('.');
  assert.deepEqual(rest, []);
  assert.equal(id, issued.id);
  assert.match(id!, base64url);
  assert.match(secret!, base64url);
  assert.equal(Buffer.from(id!, 'base64url').length, 16); // 128 bits
  assert.equal(id!.length, 22);
  assert.equal(Buffer.from(secret!, 'base64url').length, 32); // 256 bits
  assert.ok(secret!.length >= 43);
});

test('the id and the secret come from the random source', () => {
  const calls: number[] = [];
  const fixed: RandomSource = {
    bytes: (length) => {
      calls.push(length);
      return Buffer.alloc(length, calls.length);
    },
    uuid: () => '00000000-0000-4000-8000-000000000000',
  };
  const issued = issueToken(fixed);
  assert.deepEqual(calls, [16, 32]);
  assert.equal(issued.token, `${Buffer.alloc(16, 1).toString('base64url')}.${Buffer.alloc(32, 2).toString('base64url')}`);
});

test('two tokens differ, in id and in secret', () => {
  const seen = new Set<string>();
  const ids = new Set<string>();
  for (let i = 0; i < 200; i++) {
    const { token, id } = issueToken(cryptoRandom);
    seen.add(token.split('.')[1]!);
    ids.add(id);
  }
  assert.equal(seen.size, 200);
  assert.equal(ids.size, 200);
});

test('what is stored is a hash, not the secret', () => {
  const issued = issueToken(cryptoRandom);
  const parsed = parseToken(issued.token)!;
  assert.equal(issued.secretHash.length, 32);
  assert.ok(!issued.secretHash.equals(Buffer.from(parsed.secret, 'base64url')));
  assert.ok(!issued.secretHash.equals(Buffer.from(parsed.secret, 'utf8')));
  assert.ok(!issued.secretHash.toString('base64url').includes(parsed.secret));
  assert.ok(!issued.secretHash.toString('hex').includes(Buffer.from(parsed.secret, 'base64url').toString('hex')));
  assert.ok(!Object.values(issued).some((value) => typeof value === 'string' && value === parsed.secret));
  assert.deepEqual(hashSecret(parsed.secret), issued.secretHash);
});

test('the secret matches its stored hash', () => {
  const issued = issueToken(cryptoRandom);
  const parsed = parseToken(issued.token)!;
  assert.equal(secretMatches(parsed.secret, issued.secretHash), true);
  assert.equal(secretMatches(parsed.secret, new Uint8Array(issued.secretHash)), true);
});

test('a changed secret does not match', () => {
  const issued = issueToken(cryptoRandom);
  const { secret } = parseToken(issued.token)!;
  const last = secret.at(-1)!;
  const flipped = secret.slice(0, -1) + (last === 'A' ? 'B' : 'A');
  assert.equal(secretMatches(flipped, issued.secretHash), false);
  assert.equal(secretMatches(secret.toUpperCase() === secret ? secret.toLowerCase() : secret.toUpperCase(), issued.secretHash), false);
  assert.equal(secretMatches(`${secret}x`, issued.secretHash), false);
  assert.equal(secretMatches(secret.slice(0, -1), issued.secretHash), false);
  assert.equal(secretMatches('', issued.secretHash), false);
  assert.equal(secretMatches(parseToken(issueToken(cryptoRandom).token)!.secret, issued.secretHash), false);
});

test('a stored hash of the wrong length never matches, and does not throw', () => {
  const { token, secretHash } = issueToken(cryptoRandom);
  const { secret } = parseToken(token)!;
  assert.equal(secretMatches(secret, secretHash.subarray(0, 16)), false);
  assert.equal(secretMatches(secret, new Uint8Array(0)), false);
  assert.equal(secretMatches(secret, Buffer.concat([secretHash, Buffer.from([0])])), false);
});

test('a token parses back to its id and secret', () => {
  const issued = issueToken(cryptoRandom);
  const parsed = parseToken(issued.token);
  assert.ok(parsed);
  assert.equal(parsed.id, issued.id);
  assert.equal(`${parsed.id}.${parsed.secret}`, issued.token);
});

test('malformed tokens parse to null', () => {
  const good = issueToken(cryptoRandom).token;
  const [id, secret] = good.split('.') as [string, string];
  const bad = [
    '',
    '.',
    id,
    secret,
    `${id}.`,
    `.${secret}`,
    `${id}${secret}`,
    `${id}.${secret}.x`,
    `${id}..${secret}`,
    `${id}.${secret}x`,
    `${id}.${secret.slice(1)}`,
    `${id}x.${secret}`,
    `${id.slice(1)}.${secret}`,
    ` ${good}`,
    `${good} `,
    `${good}\n`,
    `${id}.${secret.slice(0, -1)}=`,
    `${id}.${secret.slice(0, -1)}+`,
    `${id}.${secret.slice(0, -1)}/`,
    `${id.slice(0, -1)}%.${secret}`,
    `${id}.${secret.slice(0, -1)}é`,
    'null',
    'undefined',
    '../../etc/passwd',
    `${'A'.repeat(22)}.${'A'.repeat(10_000)}`,
  ];
  for (const token of bad) assert.equal(parseToken(token), null, JSON.stringify(token));
});
