import assert from 'node:assert/strict';
import { test } from 'node:test';
import { URI, TOTP } from 'otpauth';
import { cryptoRandom } from '../../core/random.js';
import { encodeBase32 } from './base32.js';
import { newTotpSecret, otpauthUri } from './otpauth-uri.js';

test('the URI has exactly the form of SPEC 4.5', () => {
  assert.equal(
    otpauthUri({ orgName: 'Zorg', email: 'ann@zorg.nl', secretBase32: 'JBSWY3DPEHPK3PXP' }),
    'otpauth://totp/Zorg:ann%40zorg.nl?secret=JBSWY3DPEHPK3PXP&issuer=Zorg&algorithm=SHA1&digits=6&period=30',
  );
});

test('an org name with space, colon, ampersand and hash cannot break the URI', () => {
  const orgName = 'Zorg & Co: Noord #1';
  const email = 'ann+2fa@zorg.nl';
  const secretBase32 = encodeBase32(newTotpSecret(cryptoRandom));
  const uri = otpauthUri({ orgName, email, secretBase32 });
  // In the label the colon becomes a space (see otpauthUri); the issuer parameter keeps it.
  assert.ok(uri.startsWith('otpauth://totp/Zorg%20%26%20Co%20Noord%20%231:ann%2B2fa%40zorg.nl?'));

  const url = new URL(uri);
  assert.equal(url.protocol, 'otpauth:');
  assert.equal(url.host, 'totp');
  assert.equal(url.hash, '');
  const label = url.pathname.slice(1);
  const separator = label.indexOf(':');
  assert.equal(label.lastIndexOf(':'), separator, 'only the separator colon is literal');
  assert.equal(label.search(/%3A/i), -1, 'no encoded colon that a parser could take for the separator');
  assert.equal(decodeURIComponent(label.slice(0, separator)), 'Zorg & Co Noord #1');
  assert.equal(decodeURIComponent(label.slice(separator + 1)), email);
  assert.deepEqual([...url.searchParams.keys()], ['secret', 'issuer', 'algorithm', 'digits', 'period']);
  assert.equal(url.searchParams.get('secret'), secretBase32);
  assert.equal(url.searchParams.get('issuer'), orgName);
  assert.equal(url.searchParams.get('algorithm'), 'SHA1');
  assert.equal(url.searchParams.get('digits'), '6');
  assert.equal(url.searchParams.get('period'), '30');
});

test('otpauth (an independent parser) reads the same issuer, account, secret and parameters', () => {
  const orgName = 'Zorg & Co: Noord #1';
  const secretBase32 = encodeBase32(newTotpSecret(cryptoRandom));
  const parsed = URI.parse(otpauthUri({ orgName, email: 'ann@zorg.nl', secretBase32 }));
  assert.ok(parsed instanceof TOTP);
  assert.equal(parsed.issuer, orgName);
  assert.equal(parsed.label, 'ann@zorg.nl');
  assert.equal(parsed.secret.base32, secretBase32);
  assert.equal(parsed.algorithm, 'SHA1');
  assert.equal(parsed.digits, 6);
  assert.equal(parsed.period, 30);
});

test('names without a colon appear unchanged in label and issuer', () => {
  const uri = otpauthUri({ orgName: 'Zorg & Welzijn #2', email: 'ann@zorg.nl', secretBase32: 'JBSWY3DPEHPK3PXP' });
  assert.equal(
    uri,
    'otpauth://totp/Zorg%20%26%20Welzijn%20%232:ann%40zorg.nl?secret=JBSWY3DPEHPK3PXP&issuer=Zorg%20%26%20Welzijn%20%232&algorithm=SHA1&digits=6&period=30',
  );
});

test('a secret that is not upper-case unpadded base32 is a bug', () => {
  for (const secretBase32 of ['', 'jbswy3dp', 'JBSWY3DP====', 'JBSW&issuer=Evil']) {
    assert.throws(() => otpauthUri({ orgName: 'Zorg', email: 'a@b.nl', secretBase32 }), Error, secretBase32);
  }
});

test('newTotpSecret returns 160 bits from the random source', () => {
  const requested: number[] = [];
  const secret = newTotpSecret({
    bytes: (n) => {
      requested.push(n);
      return Buffer.alloc(n, 7);
    },
  });
  assert.deepEqual(requested, [20]);
  assert.equal(secret.length * 8, 160);
  assert.notDeepEqual(newTotpSecret(cryptoRandom), newTotpSecret(cryptoRandom));
});
