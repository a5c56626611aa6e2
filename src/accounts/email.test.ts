import assert from 'node:assert/strict';
import { test } from 'node:test';
import { emailForStaff } from '../web/format.js';
import { cleanEmail, emailSkeleton, isPlausibleEmail, normalizeEmail } from './email.js';

test('normalized: NFKC, lower case, no trailing dot, an international domain in Unicode', () => {
  assert.equal(normalizeEmail(' ａdmin@Org.NL. '), 'admin@org.nl');
  assert.equal(normalizeEmail('jan@XN--bcher-kva.nl'), 'jan@bücher.nl');
  assert.equal(cleanEmail('Jan.Jansen@Example.NL.'), 'Jan.Jansen@example.nl', 'the local part keeps its case where it is kept');
});

test('TR39 skeletons: look-alikes share one, different addresses do not', () => {
  const same = (a: string, b: string) => assert.equal(emailSkeleton(a), emailSkeleton(b), `${a} ~ ${b}`);
  same('admin@orga.nl', 'admin@orgа.nl'); // Cyrillic а
  same('admin@orga.nl', 'ａdmin@orga.nl'); // fullwidth
  same('admin@orga.nl', 'adrnin@orga.nl'); // rn for m
  same('bill@x.nl', 'bi11@x.nl');
  same('olga@x.nl', '0lga@x.nl');
  same('jan@bücher.nl', 'jan@xn--bcher-kva.nl');
  assert.notEqual(emailSkeleton('jan@x.nl'), emailSkeleton('jon@x.nl'));
  assert.notEqual(emailSkeleton('anna@x.nl'), emailSkeleton('anne@x.nl'));
});

test('invisible characters make no address', () => {
  assert.equal(isPlausibleEmail('a\u200bdmin@org.nl'), false);
  assert.equal(isPlausibleEmail('admin\u202e@org.nl'), false);
  assert.equal(isPlausibleEmail('admin@org.nl.'), true, 'a trailing dot is allowed, and removed');
});

test('staff see an international domain with its punycode, and non-ASCII letters by code point', () => {
  assert.equal(emailForStaff('jan@example.nl'), 'jan@example.nl');
  assert.equal(emailForStaff('jan@bücher.nl'), 'jan@bücher.nl (jan@xn--bcher-kva.nl)');
  assert.equal(emailForStaff('jаn@x.nl'), 'jаn@x.nl (jU+0430n@x.nl)');
});

test('attack review: an ideographic full stop at the end, variation selectors, the braille blank and combining marks make no second address', () => {
  assert.equal(normalizeEmail('admin@demo.example。'), 'admin@demo.example');
  assert.equal(normalizeEmail('admin@demo.example.。'), 'admin@demo.example');
  for (const hidden of ['admin\u{E0100}@demo.example', 'admin\u2800@demo.example', 'ad\u115Fmin@demo.example', 'admin\uFE0F@demo.example']) {
    assert.equal(isPlausibleEmail(hidden), false, JSON.stringify(hidden));
    assert.equal(emailSkeleton(hidden), emailSkeleton('admin@demo.example'), JSON.stringify(hidden));
  }
  assert.equal(emailSkeleton('admi\u0307n@demo.example'), emailSkeleton('admin@demo.example'));
  assert.equal(emailSkeleton('josé@x.nl'), emailSkeleton('jose@x.nl'));
});
