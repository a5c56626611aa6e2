import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ambiguousHost } from './host-headers.js';

test('one Host header and an origin-form path are fine', () => {
  assert.equal(ambiguousHost(['Host', 'a.localhost'], '/login'), null);
  assert.equal(ambiguousHost(['host', 'a.localhost:3000', 'accept', '*/*'], '/login?x=1'), null);
});

test('two Host headers are refused, in any case and order', () => {
  assert.match(ambiguousHost(['Host', 'a.localhost', 'HOST', 'b.localhost'], '/login')!, /more than one Host/);
  assert.match(ambiguousHost(['host', 'a.localhost', 'accept', '*/*', 'host', 'a.localhost'], '/')!, /more than one Host/);
});

test('an absolute-form URI must name the Host header’s host', () => {
  assert.equal(ambiguousHost(['Host', 'a.localhost'], 'http://a.localhost/login'), null);
  assert.equal(ambiguousHost(['Host', 'A.LOCALHOST.'], 'http://a.localhost/login'), null);
  assert.equal(ambiguousHost(['Host', 'a.localhost:3000'], 'http://a.localhost:3000/login'), null);
  assert.match(ambiguousHost(['Host', 'a.localhost'], 'http://b.localhost/login')!, /another host/);
  assert.match(ambiguousHost(['Host', 'a.localhost'], 'https://b.localhost:443/')!, /another host/);
  assert.match(ambiguousHost(['Host', 'a.localhost'], 'http://user@b.localhost/')!, /another host/);
  assert.match(ambiguousHost([], 'http://b.localhost/')!, /another host/);
});
