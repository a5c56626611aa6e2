import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clientIpKey } from './rate-limit.js';

test('IPv4 addresses count one by one; IPv6 addresses by their /64 network', () => {
  assert.equal(clientIpKey('198.51.100.7'), '198.51.100.7');
  assert.equal(clientIpKey('::ffff:198.51.100.7'), '198.51.100.7');
  assert.equal(clientIpKey('2001:db8:1:2:aaaa:bbbb:cccc:dddd'), '2001:db8:1:2::/64');
  assert.equal(clientIpKey('2001:db8:1:2::1'), '2001:db8:1:2::/64');
  assert.equal(clientIpKey('2001:0db8:0001:0002::ffff'), '2001:db8:1:2::/64');
  assert.equal(clientIpKey('2001:db8::1'), '2001:db8:0:0::/64');
  assert.equal(clientIpKey('::1'), '0:0:0:0::/64');
  assert.equal(clientIpKey(null), 'unknown');
});
