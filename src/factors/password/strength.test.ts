import assert from 'node:assert/strict';
import { test } from 'node:test';
import { commonPasswordCount, countCommonPasswords, estimateStrength, isCommonPassword, maxEstimatedLengthInCodePoints } from './strength.js';

test('the common-password blocklist holds at least 10,000 entries (SPEC 3)', () => {
  assert.ok(commonPasswordCount >= 10_000);
  assert.equal(countCommonPasswords(), commonPasswordCount);
});

test('the most common passwords are recognized, in any case and width', () => {
  // Ranks in @zxcvbn-ts/language-common 4.1.3: password 2, iloveyou 51, 1q2w3e4r5t6y 1957,
  // qwerty123456 2689, leavemealone 4252 (the last three are 12 characters long).
  for (const password of ['password', 'iloveyou', '1q2w3e4r5t6y', 'qwerty123456', 'leavemealone']) {
    assert.equal(isCommonPassword(password), true, password);
  }
  assert.equal(isCommonPassword('PassWord'), true);
  assert.equal(isCommonPassword('ｑｗｅｒｔｙ１２３４５６'), true); // fullwidth, NFKC-folded
});

test('the whole ranked list is refused, beyond the top 10,000; good passwords pass', () => {
  // 123456789012 (rank 14,702), password1234 (~18,500) and qwertyuiop12 (rank 42,953).
  assert.ok(commonPasswordCount > 40_000);
  assert.equal(isCommonPassword('123456789012'), true);
  assert.equal(isCommonPassword('password1234'), true);
  assert.equal(isCommonPassword('qwertyuiop12'), true);
  assert.equal(isCommonPassword('tandarts bezoek op dinsdag'), false);
  assert.equal(isCommonPassword('correct horse battery staple'), false);
});

test('a weak password scores low with a warning, a passphrase scores high', () => {
  const weak = estimateStrength('password1', []);
  assert.ok(weak.score <= 1, `score ${weak.score}`);
  assert.notEqual(weak.warning, null);

  const strong = estimateStrength('paars kanaal vliegt zeventien lampen', []);
  assert.ok(strong.score >= 3, `score ${strong.score}`);
});

test('the Dutch dictionaries are loaded: a common Dutch word alone is weak', () => {
  // With only the common and English lists these score 3 and 4.
  assert.ok(estimateStrength('ziekenhuis', []).score <= 1);
  assert.ok(estimateStrength('verpleegkundige', []).score <= 1);
});

test('user inputs such as the e-mail or organization lower the score', () => {
  const password = 'Zorgpunt-Gent';
  const without = estimateStrength(password, []);
  const withInputs = estimateStrength(password, ['zorgpunt-gent', 'Zorgpunt Gent']);
  assert.ok(withInputs.score <= without.score);
  assert.ok(withInputs.score <= 1, `score ${withInputs.score}`);
});

test('feedback is text in the requested language, not message keys', () => {
  const english = estimateStrength('aaaaaaaaaaaa', [], 'en');
  const dutch = estimateStrength('aaaaaaaaaaaa', [], 'nl');
  assert.match(english.warning ?? '', /easy to guess/);
  assert.match(dutch.warning ?? '', /makkelijk te raden/);
  assert.ok(dutch.suggestions.length > 0);
  for (const suggestion of dutch.suggestions) assert.match(suggestion, /\s/); // a sentence, not a key
});

test('SECURITY 35: very long input is judged on its first 40 code points only, so the estimate stays cheap', () => {
  // Counted, not timed: `npm run bench` times the worst case.
  assert.equal(maxEstimatedLengthInCodePoints, 40);
  const long = 'p@ssw0rd!1$'.repeat(1000);
  const first40 = Array.from(long).slice(0, 40).join('');
  assert.deepEqual(estimateStrength(long, []), estimateStrength(first40, []));
  // What follows the 40th code point changes nothing, and a surrogate pair is never split.
  const emoji = '🔒'.repeat(40);
  assert.deepEqual(estimateStrength(`${emoji}Zq9!vL#2 tail`, []), estimateStrength(emoji, []));
  const result = estimateStrength(long, []);
  assert.ok(result.score >= 0 && result.score <= 4, `score ${result.score}`);
});
