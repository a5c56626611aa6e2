/**
 * Attack review 3 (SPEC 11): attacks that held. Kept as tests so they keep holding.
 */
import assert from 'node:assert/strict';
import { createHash, createSign } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { listPasskeys } from '../../src/factors/passkey/store.js';
import { TestBrowser } from '../browser-client.js';
import { createActiveAccount, createTestApp, createTestOrg, hostOf, loggedInBrowser, type TestApp } from '../harness.js';
import { SoftAuthenticator } from '../passkey-authenticator.js';
import { addPasskey, loginCeremony, originOf, passkeyLogin, startAdding } from '../passkey-helpers.js';

let t: TestApp;
before(async () => {
  t = await createTestApp();
});
after(async () => t.close());

const refused = (location: unknown) => /passkeyRefused=1/.test(String(location));

describe('SPEC 11 attacked: what held', () => {
  test('login answers: user not present, another account\'s credential id under my signature, wrong origin, replay in parallel', async () => {
    const org = await createTestOrg(t);
    const victim = await createActiveAccount(t, org);
    const attacker = await createActiveAccount(t, org);
    const victimKey = new SoftAuthenticator();
    const attackerKey = new SoftAuthenticator();
    await addPasskey(org, await loggedInBrowser(t, org, victim), { password: victim.password }, victimKey);
    await addPasskey(org, await loggedInBrowser(t, org, attacker), { password: attacker.password }, attackerKey);

    // UV set, UP cleared: re-sign the authenticator data with the UP bit off.
    {
      const { browser, options } = await loginCeremony(t, org);
      const answer = attackerKey.get(options, originOf(org));
      const authData = Buffer.from(answer.response.authenticatorData, 'base64url');
      authData[32] = authData[32]! & ~0x01;
      const clientData = Buffer.from(answer.response.clientDataJSON, 'base64url');
      const key = (attackerKey as unknown as { privateKey: import('node:crypto').KeyObject }).privateKey;
      const signature = createSign('sha256').update(Buffer.concat([authData, createHash('sha256').update(clientData).digest()])).sign(key);
      const posted = await browser.post('/login/passkey', { response: JSON.stringify({ ...answer, response: { ...answer.response, authenticatorData: authData.toString('base64url'), signature: signature.toString('base64url') } }) });
      assert.ok(refused(posted.headers.location), 'user presence is required');
    }
    // The victim's credential id and user handle, signed by the attacker's key.
    {
      const { browser, options } = await loginCeremony(t, org);
      const answer = attackerKey.get(options, originOf(org));
      const posted = await browser.post('/login/passkey', { response: JSON.stringify({ ...answer, id: victimKey.id, rawId: victimKey.id, response: { ...answer.response, userHandle: Buffer.from(victim.id).toString('base64url') } }) });
      assert.ok(refused(posted.headers.location));
    }
    // The attacker's own credential with the victim's user handle.
    {
      const { browser, options } = await loginCeremony(t, org);
      const answer = attackerKey.get(options, originOf(org));
      const posted = await browser.post('/login/passkey', { response: JSON.stringify({ ...answer, response: { ...answer.response, userHandle: Buffer.from(victim.id).toString('base64url') } }) });
      assert.ok(refused(posted.headers.location));
    }
    // Signed for a phishing origin.
    {
      const { browser, options } = await loginCeremony(t, org);
      const posted = await browser.post('/login/passkey', { response: JSON.stringify(victimKey.get(options, `http://evil-${hostOf(org)}:3000`)) });
      assert.ok(refused(posted.headers.location));
    }
    // One answer posted 10 times at once in its session, and a clone racing from other sessions.
    {
      const { browser, options } = await loginCeremony(t, org);
      const answer = JSON.stringify(victimKey.get(options, originOf(org)));
      const all = await Promise.all(Array.from({ length: 10 }, () => browser.post('/login/passkey', { response: answer, returnTo: '/account' })));
      assert.equal(all.filter((r) => r.headers.location === '/account').length, 1);
      const clones = [victimKey.clone(), victimKey.clone(), victimKey.clone()];
      const ceremonies = await Promise.all(clones.map(() => loginCeremony(t, org)));
      const raced = await Promise.all(ceremonies.map(({ browser: b, options: o }, i) => b.post('/login/passkey', { response: JSON.stringify(clones[i]!.get(o, originOf(org))), returnTo: '/account' })));
      assert.equal(raced.filter((r) => r.headers.location === '/account').length, 1, 'same counter: one wins');
    }
  });

  test('SECURITY 19: with the password but not the code, no passkey can be added', async () => {
    const org = await createTestOrg(t);
    const account = await createActiveAccount(t, org);
    const { enableTotp } = await import('../two-factor-helpers.js');
    await enableTotp(t, await loggedInBrowser(t, org, account));
    const half = await loggedInBrowser(t, org, account);
    assert.equal(half.lastResponse!.headers.location, '/login/code');
    assert.equal((await half.get('/account/passkeys')).statusCode, 303);
    await half.get('/login/code');
    const tried = await half.post('/account/passkeys/new', { name: 'Mine now', password: account.password });
    assert.equal(tried.statusCode, 303);
    assert.match(String(tried.headers.location), /^\/login\/code/);
    assert.equal((await listPasskeys(t.deps.db, org.tenantId, account.id)).length, 0);
  });

  test('session fixation: the cookie a browser had before a passkey login is not logged in after it', async () => {
    const org = await createTestOrg(t);
    const account = await createActiveAccount(t, org);
    const key = new SoftAuthenticator();
    await addPasskey(org, await loggedInBrowser(t, org, account), { password: account.password }, key);
    const { browser, options } = await loginCeremony(t, org);
    const planted = new Map(browser.cookies);
    const posted = await browser.post('/login/passkey', { response: JSON.stringify(key.get(options, originOf(org))), returnTo: '/account' });
    assert.equal(posted.headers.location, '/account');
    assert.notDeepEqual([...browser.cookies], [...planted]);
    const fixer = new TestBrowser(t.app, hostOf(org));
    fixer.cookies = planted;
    assert.equal((await fixer.get('/account')).statusCode, 303);
  });

  test('registration: the login challenge, another session\'s challenge, an account switch mid-ceremony, no CSRF token, wrong rpId', async () => {
    const org = await createTestOrg(t);
    const alice = await createActiveAccount(t, org);
    const bob = await createActiveAccount(t, org);
    const a1 = await loggedInBrowser(t, org, alice);
    const a2 = await loggedInBrowser(t, org, alice);
    // The login challenge of this session as a registration challenge.
    await a1.get('/account/passkeys');
    const loginOptions = (await a1.post('/login/passkey/options', {})).json() as { challenge: string };
    const regLike = { challenge: loginOptions.challenge, rp: { id: hostOf(org), name: 'x' }, user: { id: Buffer.from(alice.id).toString('base64url'), name: 'x', displayName: 'x' }, pubKeyCredParams: [] };
    assert.equal((await a1.post('/account/passkeys/new', { name: 'X', response: JSON.stringify(new SoftAuthenticator().create(regLike, originOf(org))) })).statusCode, 400);
    // Alice's ceremony in session 1, answered in session 2.
    const options = await startAdding(a1, { password: alice.password });
    await a2.get('/account/passkeys');
    assert.equal((await a2.post('/account/passkeys/new', { name: 'X', response: JSON.stringify(new SoftAuthenticator().create(options, originOf(org))) })).statusCode, 400);
    // Alice starts, Bob logs in on the same browser, the answer is posted for Bob.
    const switched = await startAdding(a1, { password: alice.password });
    await a1.login(bob.email, bob.password);
    await a1.get('/account/passkeys');
    assert.equal((await a1.post('/account/passkeys/new', { name: 'X', response: JSON.stringify(new SoftAuthenticator().create(switched, originOf(org))) })).statusCode, 400);
    assert.equal((await listPasskeys(t.deps.db, org.tenantId, bob.id)).length, 0);
    // Cross-site finish (no token, foreign origin), and another relying party id.
    const b = await loggedInBrowser(t, org, bob);
    const bobOptions = await startAdding(b, { password: bob.password });
    const answer = JSON.stringify(new SoftAuthenticator().create(bobOptions, originOf(org)));
    assert.equal((await b.post('/account/passkeys/new', { name: 'X', response: answer, _csrf: '' })).statusCode, 403);
    assert.equal((await b.post('/account/passkeys/new', { name: 'X', response: answer }, { origin: 'http://evil.example', 'sec-fetch-site': 'cross-site' })).statusCode, 403);
    const otherRp = await startAdding(b, { password: bob.password });
    assert.equal((await b.post('/account/passkeys/new', { name: 'X', response: JSON.stringify(new SoftAuthenticator().create({ ...otherRp, rp: { ...otherRp.rp, id: 'localhost' } }, originOf(org))) })).statusCode, 400);
    assert.equal((await listPasskeys(t.deps.db, org.tenantId, bob.id)).length, 0);
  });

  test('another user\'s passkey cannot be removed by id; the name is escaped; a deactivated account\'s passkey logs nobody in', async () => {
    const org = await createTestOrg(t);
    const victim = await createActiveAccount(t, org);
    const attacker = await createActiveAccount(t, org);
    const key = new SoftAuthenticator();
    const name = '<img src=x onerror=alert(1)>"\'';
    const vb = await loggedInBrowser(t, org, victim);
    await addPasskey(org, vb, { password: victim.password }, key, name);
    const [passkey] = await listPasskeys(t.deps.db, org.tenantId, victim.id);
    const ab = await loggedInBrowser(t, org, attacker);
    await ab.get('/account/passkeys');
    await ab.post(`/account/passkeys/${passkey!.id}/remove`, { password: attacker.password });
    assert.equal((await listPasskeys(t.deps.db, org.tenantId, victim.id)).length, 1);
    for (const path of ['/account/passkeys', `/account/passkeys/${passkey!.id}/remove`, '/account/activity']) {
      assert.doesNotMatch((await vb.get(path)).body, /<img src=x/, path);
    }
    await t.jobs.runDue();
    assert.doesNotMatch(String(t.mail.last(victim.email).html), /<img src=x/, 'the mail escapes the name');
    const admin = await createActiveAccount(t, org, { role: 'admin' });
    const staff = await loggedInBrowser(t, org, admin);
    const audit = (await staff.get('/admin/audit')).body;
    assert.match(audit, /&lt;img src=x/, 'the name is on the audit page');
    assert.doesNotMatch(audit, /<img src=x/, 'the audit page escapes the name');
    assert.match(String(t.mail.last(victim.email).html), /&lt;img src=x/);
    await t.deps.db.query("UPDATE account SET state = 'deactivated' WHERE tenant_id = $1 AND id = $2", [org.tenantId, victim.id]);
    assert.ok(refused((await passkeyLogin(t, org, key)).posted.headers.location));
  });
});
