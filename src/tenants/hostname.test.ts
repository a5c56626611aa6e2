import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hostnameFromHostHeader } from './hostname.js';

test('a plain host name is returned as it is', () => {
  assert.equal(hostnameFromHostHeader('org-a.localhost'), 'org-a.localhost');
  assert.equal(hostnameFromHostHeader('zorg.acme.test'), 'zorg.acme.test');
  assert.equal(hostnameFromHostHeader('localhost'), 'localhost');
});

test('the host name is matched case-insensitively: it comes back in lower case', () => {
  assert.equal(hostnameFromHostHeader('ORG-A.LocalHost'), 'org-a.localhost');
  assert.equal(hostnameFromHostHeader('Zorg.ACME.Test'), 'zorg.acme.test');
});

test('the port is ignored', () => {
  assert.equal(hostnameFromHostHeader('org-a.localhost:3000'), 'org-a.localhost');
  assert.equal(hostnameFromHostHeader('ORG-A.localhost:443'), 'org-a.localhost');
  assert.equal(hostnameFromHostHeader('org-a.localhost:1'), 'org-a.localhost');
});

test('one trailing dot is stripped (SECURITY 27: Host: ORG-A.localhost.)', () => {
  assert.equal(hostnameFromHostHeader('ORG-A.localhost.'), 'org-a.localhost');
  assert.equal(hostnameFromHostHeader('org-a.localhost.:3000'), 'org-a.localhost');
});

test('two trailing dots are not a host name', () => {
  assert.equal(hostnameFromHostHeader('org-a.localhost..'), null);
});

test('a missing or empty Host gives null', () => {
  assert.equal(hostnameFromHostHeader(undefined), null);
  assert.equal(hostnameFromHostHeader(''), null);
  assert.equal(hostnameFromHostHeader('   '), null);
  assert.equal(hostnameFromHostHeader('.'), null);
  assert.equal(hostnameFromHostHeader(':3000'), null);
});

test('IPv6 literals are no organization address', () => {
  assert.equal(hostnameFromHostHeader('[::1]'), null);
  assert.equal(hostnameFromHostHeader('[::1]:3000'), null);
  assert.equal(hostnameFromHostHeader('[2001:db8::1]:443'), null);
  assert.equal(hostnameFromHostHeader('::1'), null);
});

test('IPv4 literals are no organization address', () => {
  assert.equal(hostnameFromHostHeader('127.0.0.1'), null);
  assert.equal(hostnameFromHostHeader('127.0.0.1:3000'), null);
  assert.equal(hostnameFromHostHeader('10.0.0.7.'), null);
});

test('an empty label (a..b, a leading dot) gives null', () => {
  assert.equal(hostnameFromHostHeader('a..b'), null);
  assert.equal(hostnameFromHostHeader('org..localhost'), null);
  assert.equal(hostnameFromHostHeader('.org.localhost'), null);
});

test('spaces inside the host give null', () => {
  assert.equal(hostnameFromHostHeader('org .localhost'), null);
  assert.equal(hostnameFromHostHeader('org.localhost evil.com'), null);
  assert.equal(hostnameFromHostHeader('org.localhost\tevil.com'), null);
});

test('userinfo and URL tricks give null', () => {
  assert.equal(hostnameFromHostHeader('evil.com@org.localhost'), null);
  assert.equal(hostnameFromHostHeader('org.localhost@evil.com'), null);
  assert.equal(hostnameFromHostHeader('http://org.localhost'), null);
  assert.equal(hostnameFromHostHeader('org.localhost/evil'), null);
  assert.equal(hostnameFromHostHeader('org.localhost\\evil'), null);
  assert.equal(hostnameFromHostHeader('org.localhost?x'), null);
  assert.equal(hostnameFromHostHeader('org.localhost#x'), null);
  assert.equal(hostnameFromHostHeader('org.localhost,evil.com'), null);
  assert.equal(hostnameFromHostHeader('org_a.localhost'), null);
  assert.equal(hostnameFromHostHeader('-org.localhost'), null);
  assert.equal(hostnameFromHostHeader('org-.localhost'), null);
  assert.equal(hostnameFromHostHeader('org.localhost\r\nX-Evil: 1'), null);
  assert.equal(hostnameFromHostHeader('org.localhost\u0000'), null);
});

test('non-ASCII (not punycode) host names give null', () => {
  assert.equal(hostnameFromHostHeader('ørg.localhost'), null);
  assert.equal(hostnameFromHostHeader('оrg.localhost'), null); // Cyrillic о
});

test('a port that is not a number, empty or too long gives null', () => {
  assert.equal(hostnameFromHostHeader('org.localhost:abc'), null);
  assert.equal(hostnameFromHostHeader('org.localhost:80x'), null);
  assert.equal(hostnameFromHostHeader('org.localhost:'), null);
  assert.equal(hostnameFromHostHeader('org.localhost:-1'), null);
  assert.equal(hostnameFromHostHeader('org.localhost:123456'), null);
  assert.equal(hostnameFromHostHeader('org.localhost:80:80'), null);
  assert.equal(hostnameFromHostHeader('org.localhost: 80'), null);
});

test('an over-long host name gives null', () => {
  const label = 'a'.repeat(63);
  const long = [label, label, label, label].join('.'); // 255 characters
  assert.equal(hostnameFromHostHeader(long), null);
});
