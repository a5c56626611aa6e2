import assert from 'node:assert/strict';
import { test } from 'node:test';
import { acceptSmsNumber, maskPhone } from './phone.js';

test('issue 12, stumble 3: a Dutch mobile number in the usual forms is taken, also where NL is not the first country', () => {
  for (const typed of ['06 12345678', '06-12345678', '0612345678', '(06) 1234 5678', '+31 6 12345678', '0031 6 1234 5678']) {
    assert.deepEqual(acceptSmsNumber(typed, ['NL']), { ok: true, e164: '+31612345678' }, typed);
    assert.deepEqual(acceptSmsNumber(typed, ['BE', 'NL']), { ok: true, e164: '+31612345678' }, `${typed} in a BE+NL org`);
  }
  assert.deepEqual(acceptSmsNumber('0470 12 34 56', ['NL', 'BE']), { ok: true, e164: '+32470123456' }, 'a Belgian mobile in its national form');
});

test('attack review: a national number that is a mobile in two of the countries is refused, not sent to the first', () => {
  // 06 12345678 is a mobile number in France (+33 6…) and in the Netherlands (+31 6…).
  assert.deepEqual(acceptSmsNumber('06 12345678', ['FR', 'NL']), { ok: false, error: 'invalid_phone' });
  assert.deepEqual(acceptSmsNumber('+31 6 12345678', ['FR', 'NL']), { ok: true, e164: '+31612345678' }, 'the international form is clear');
});

test('a national number of a country the org does not list is not read as one of its own', () => {
  assert.deepEqual(acceptSmsNumber('0470 12 34 56', ['NL']), { ok: false, error: 'invalid_phone' });
  assert.deepEqual(acceptSmsNumber('+32 470 12 34 56', ['NL']), { ok: false, error: 'phone_country' });
  assert.deepEqual(acceptSmsNumber('020 123 4567', ['NL']), { ok: false, error: 'phone_not_mobile' });
  assert.deepEqual(acceptSmsNumber('097 012345678', ['NL']), { ok: false, error: 'phone_not_mobile' });
});

test('pages show a number masked, with its country code', () => {
  assert.equal(maskPhone('+31612345678'), '+31 ••• 78');
});
