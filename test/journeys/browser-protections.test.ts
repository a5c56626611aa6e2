import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { TestBrowser } from '../browser-client.js';
import { createActiveAccount, createTestApp, createTestOrg, hostOf, loggedInBrowser, type TestApp } from '../harness.js';

let t: TestApp;
before(async () => {
  t = await createTestApp();
});
after(async () => t.close());

describe('SECURITY 20: CSRF', () => {
  test('login needs the session token and a same-origin request', async () => {
    const org = await createTestOrg(t);
    const user = await createActiveAccount(t, org);
    const sibling = await createTestOrg(t);
    const fields = { email: user.email, password: user.password };
    const attempts: [string, Record<string, string>, Record<string, string>][] = [
      ['no token', { ...fields, _csrf: '' }, {}],
      ['wrong token', { ...fields, _csrf: 'x'.repeat(43) }, {}],
      ['evil origin', fields, { origin: 'https://evil.example' }],
      ["a sibling org's subdomain", fields, { origin: `http://${hostOf(sibling)}` }],
      ['cross-site fetch metadata', fields, { 'sec-fetch-site': 'cross-site' }],
      ['same-site but not same-origin', fields, { 'sec-fetch-site': 'same-site' }],
      ['no origin at all', fields, { origin: '' }],
      ['null origin without fetch metadata', fields, { origin: 'null' }],
    ];
    for (const [name, body, headers] of attempts) {
      const browser = new TestBrowser(t.app, hostOf(org));
      await browser.get('/login');
      const response = await browser.post('/login', body, headers);
      assert.equal(response.statusCode, 403, name);
      assert.match(response.body, /Nothing was changed/);
    }
    const ok = new TestBrowser(t.app, hostOf(org));
    await ok.get('/login');
    assert.equal((await ok.post('/login', fields, { origin: 'null', 'sec-fetch-site': 'same-origin' })).statusCode, 303, 'no-referrer pages send Origin: null; fetch metadata decides');
  });

  test("a token from another session is refused, and logout needs a token too", async () => {
    const org = await createTestOrg(t);
    const user = await createActiveAccount(t, org);
    const attacker = new TestBrowser(t.app, hostOf(org));
    await attacker.get('/login');
    const victim = await loggedInBrowser(t, org, user);
    const forged = await victim.post('/logout', { _csrf: attacker.lastCsrf! });
    assert.equal(forged.statusCode, 403);
    assert.equal((await victim.get('/account')).statusCode, 200, 'still logged in');
  });

  test('GET never changes state: GET /logout is no logout', async () => {
    const org = await createTestOrg(t);
    const user = await createActiveAccount(t, org);
    const browser = await loggedInBrowser(t, org, user);
    assert.equal((await browser.get('/logout')).statusCode, 404);
    assert.equal((await browser.get('/account')).statusCode, 200);
  });
});

describe('SECURITY 21: headers on every HTML response', () => {
  test('pages, 404s, 403s and unknown hosts all carry CSP, frame and sniffing protections', async () => {
    const org = await createTestOrg(t);
    const browser = new TestBrowser(t.app, hostOf(org));
    const responses = [
      await browser.get('/login'),
      await browser.get('/help'),
      await browser.get('/no/such/page'),
      await browser.post('/login', { _csrf: 'bad' }),
      await t.app.inject({ method: 'GET', url: '/login', headers: { host: 'unknown.example' } }),
      await t.app.inject({ method: 'POST', url: '/login', headers: { host: hostOf(org), 'content-type': 'application/x-www-form-urlencoded' }, payload: 'a=%ff' }),
    ];
    for (const response of responses) {
      const csp = String(response.headers['content-security-policy']);
      for (const directive of ["frame-ancestors 'none'", "object-src 'none'", "base-uri 'none'", "script-src 'self'"]) assert.ok(csp.includes(directive), `${directive} (${response.statusCode})`);
      assert.doesNotMatch(csp, /unsafe-inline/);
      assert.equal(response.headers['x-frame-options'], 'DENY');
      assert.equal(response.headers['x-content-type-options'], 'nosniff');
      assert.equal(response.headers['referrer-policy'], 'no-referrer');
      assert.equal(response.headers['cache-control'], 'no-store');
      assert.doesNotMatch(response.body, /<script>|<script(?![^>]*\ssrc=)|\son[a-z]+=/i, 'no inline script or handler');
    }
  });
});

describe('SECURITY 22: returnTo stays on this org', () => {
  test('only relative paths are followed after login', async () => {
    const org = await createTestOrg(t);
    const user = await createActiveAccount(t, org);
    const cases: [string, string][] = [
      ['/account?tab=1', '/account?tab=1'],
      ['//evil.example/x', '/'],
      ['/\\evil.example', '/'],
      ['https://evil.example/', '/'],
      ['javascript:alert(1)', '/'],
      ['http:/evil.example', '/'],
      ['/\t/evil.example', '/'],
    ];
    for (const [returnTo, expected] of cases) {
      const browser = new TestBrowser(t.app, hostOf(org));
      await browser.get('/login');
      const response = await browser.post('/login', { email: user.email, password: user.password, returnTo });
      assert.equal(response.headers.location, expected, returnTo);
    }
    const viaQuery = new TestBrowser(t.app, hostOf(org));
    const page = await viaQuery.get('/login?returnTo=%2F%2Fevil.example');
    assert.match(page.body, /name="returnTo" value="\/"/);
  });
});

describe('SECURITY 23: user input is escaped', () => {
  test('a name with markup shows as text on every page that shows it', async () => {
    const org = await createTestOrg(t, { name: 'Praktijk "<b>Bold</b>" & Co' });
    const admin = await createActiveAccount(t, org, { role: 'admin', name: '<script>alert(1)</script>' });
    const browser = await loggedInBrowser(t, org, admin);
    for (const path of ['/', '/account', '/staff/accounts', `/staff/accounts/${admin.id}`]) {
      const body = (await browser.get(path)).body;
      assert.doesNotMatch(body, /<script>alert/, path);
      assert.doesNotMatch(body, /<b>Bold/, path);
      assert.match(body, /&lt;script&gt;alert\(1\)&lt;\/script&gt;|Praktijk &quot;&lt;b&gt;/, path);
    }
  });
});

describe('SECURITY 24: bad input gets a clear 400/413, never a 500', () => {
  const cases: [string, string, string, number][] = [
    ['invalid UTF-8', 'application/x-www-form-urlencoded', 'email=%ff%fe', 400],
    ['a bad escape', 'application/x-www-form-urlencoded', 'email=%E0%A4%A', 400],
    ['a NUL byte', 'application/x-www-form-urlencoded', 'email=a%00b', 400],
    ['a field given twice (array)', 'application/x-www-form-urlencoded', 'email=a&email=b', 400],
    ['JSON where a form belongs (an array for a string)', 'application/json', '{"email":["a"]}', 400],
    ['malformed JSON', 'application/json', '{"email":', 400],
    ['text where a form belongs', 'text/plain', 'email=a', 400],
    ['an unsupported content type', 'image/png', 'email=a', 415],
    ['a body over 64 KiB', 'application/x-www-form-urlencoded', `email=${'a'.repeat(70 * 1024)}`, 413],
  ];
  for (const [name, type, payload, status] of cases) {
    test(name, async () => {
      const org = await createTestOrg(t);
      const response = await t.app.inject({ method: 'POST', url: '/login', headers: { host: hostOf(org), 'content-type': type }, payload });
      assert.equal(response.statusCode, status, response.body);
      assert.doesNotMatch(response.body, /at \w+ \(|node_modules|Error:/, 'no stack trace');
    });
  }
  test('a path that is no valid URL gets a clear 400 in the words of its surface, with the usual headers', async () => {
    const org = await createTestOrg(t);
    const page = await t.app.inject({ method: 'GET', url: '/%zz', headers: { host: hostOf(org) } });
    assert.equal(page.statusCode, 400);
    assert.match(String(page.headers['content-type']), /text\/html/);
    assert.match(page.body, /not a valid URL/);
    assert.ok(page.headers['content-security-policy']);
    const api = await t.app.inject({ method: 'GET', url: '/api/app/v1/%zz', headers: { host: hostOf(org) } });
    assert.equal(api.statusCode, 400);
    assert.equal(JSON.parse(api.body).error, 'invalid_request');
  });

  test('raw invalid UTF-8 bytes in a form', async () => {
    const org = await createTestOrg(t);
    const response = await t.app.inject({ method: 'POST', url: '/login', headers: { host: hostOf(org), 'content-type': 'application/x-www-form-urlencoded' }, payload: Buffer.from([0x65, 0x3d, 0xc3, 0x28]) });
    assert.equal(response.statusCode, 400);
    assert.match(response.body, /not valid UTF-8/);
  });
});

describe('SECURITY 27: the host decides the org, and only the host', () => {
  test('case, trailing dot and port resolve to the same org; unknown and tricked hosts get 404', async () => {
    const org = await createTestOrg(t, { hostnames: [`zorg-${Date.now()}.example.nl`] });
    const configured = org.hostnames[0]!;
    for (const host of [hostOf(org), hostOf(org).toUpperCase(), `${hostOf(org)}.`, `${hostOf(org)}:8443`, configured, `${configured.toUpperCase()}.:443`]) {
      const response = await t.app.inject({ method: 'GET', url: '/login', headers: { host } });
      assert.equal(response.statusCode, 200, host);
      assert.match(response.body, new RegExp(org.name));
    }
    for (const host of ['evil.example', `${org.slug}.evil.example`, `x.${hostOf(org)}`, '127.0.0.1', '[::1]', '']) {
      const response = await t.app.inject({ method: 'GET', url: '/login', headers: { host } });
      assert.equal(response.statusCode, 404, host);
      assert.doesNotMatch(response.body, new RegExp(org.name));
    }
  });

  test('X-Forwarded-Host and absolute request URIs do not change the org', async () => {
    const orgA = await createTestOrg(t);
    const orgB = await createTestOrg(t);
    const forwarded = await t.app.inject({ method: 'GET', url: '/login', headers: { host: hostOf(orgA), 'x-forwarded-host': hostOf(orgB) } });
    assert.match(forwarded.body, new RegExp(orgA.name));
    assert.doesNotMatch(forwarded.body, new RegExp(orgB.name));
    const absolute = await t.app.inject({ method: 'GET', url: `http://${hostOf(orgB)}/login`, headers: { host: hostOf(orgA) } });
    assert.doesNotMatch(absolute.body, new RegExp(orgB.name));
    const unknownHost = await t.app.inject({ method: 'GET', url: `http://${hostOf(orgA)}/login`, headers: { host: 'unknown.example' } });
    assert.equal(unknownHost.statusCode, 404);
  });

  test('health endpoints answer on any host', async () => {
    for (const host of ['unknown.example', 'localhost']) {
      assert.equal((await t.app.inject({ method: 'GET', url: '/healthz', headers: { host } })).statusCode, 200);
      assert.equal((await t.app.inject({ method: 'GET', url: '/readyz', headers: { host } })).statusCode, 200);
    }
  });
});
