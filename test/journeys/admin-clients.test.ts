/**
 * SPEC 10: /admin/clients — an admin registers and removes the applications that log people in
 * through Ingang, with the password and a code each time; a confidential client's secret is shown
 * once and works; every change is audited with who made it.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as oidc from 'openid-client';
import { listAuditEvents } from '../../src/audit/audit.js';
import { findOpenIdClient, listOpenIdClients } from '../../src/flows/openid-clients.js';
import { TestBrowser } from '../browser-client.js';
import { createActiveAccount, createTestOrg, hostOf } from '../harness.js';
import { insecure, issuerOf, port, t } from '../openid-helpers.js';
import { enableTotp } from '../two-factor-helpers.js';

const form = {
  name: 'Videoconsult',
  redirectUris: 'https://video.example/callback\nhttps://video.example/other',
  postLogoutRedirectUris: 'https://video.example/bye',
  backchannelLogoutUri: 'https://video.example/backchannel',
  kind: 'confidential',
  firstParty: 'true',
};

async function adminWithCode() {
  const org = await createTestOrg(t, { policy: { twoFactorStaff: 'required' } });
  const admin = await createActiveAccount(t, org, { role: 'admin', name: 'Ada Admin' });
  const browser = new TestBrowser(t.app, `${hostOf(org)}:${port}`);
  await browser.login(admin.email, admin.password);
  const { app } = await enableTotp(t, browser);
  return { org, admin, browser, app };
}

describe('SPEC 10: /admin/clients', () => {
  test('registering asks the password and a code; bad input is named and makes nothing; the secret is shown once and works', async () => {
    const { org, admin, browser, app } = await adminWithCode();
    const page = await browser.get('/admin/clients');
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /There are no applications yet/);
    assert.match(page.body, /name="password"/);
    assert.match(page.body, /name="code"/);

    const badUri = await browser.post('/admin/clients', { ...form, redirectUris: 'https://video.example/callback#x', password: admin.password, code: app.code(t) });
    assert.equal(badUri.statusCode, 400);
    assert.match(badUri.body, /id="redirectUris-error"/);
    assert.match(badUri.body, /Videoconsult/, 'what was typed is kept');
    const badBackchannel = await browser.post('/admin/clients', { ...form, backchannelLogoutUri: 'ftp://video.example/x', password: admin.password, code: app.code(t) });
    assert.match(badBackchannel.body, /id="backchannelLogoutUri-error"/);
    const noCode = await browser.post('/admin/clients', { ...form, password: admin.password });
    assert.equal(noCode.statusCode, 400);
    const wrongPassword = await browser.post('/admin/clients', { ...form, password: 'not it at all', code: app.code(t) });
    assert.equal(wrongPassword.statusCode, 400);
    assert.match(wrongPassword.body, /current password is not right/);
    assert.equal((await listOpenIdClients(t.deps, org)).length, 0, 'nothing was made');

    t.clock.advanceSeconds(30);
    const made = await browser.post('/admin/clients', { ...form, password: admin.password, code: app.code(t) });
    assert.equal(made.statusCode, 200, made.body.slice(0, 400));
    assert.match(made.body, /Videoconsult has been added/);
    const clientId = /<dt>client_id<\/dt><dd><code>([^<]+)<\/code>/.exec(made.body)![1]!;
    const secret = /<dt>client_secret<\/dt><dd><code>([^<]+)<\/code>/.exec(made.body)![1]!;
    assert.match(String(made.headers['cache-control']), /no-store/);
    const stored = await findOpenIdClient(t.deps, org, clientId);
    assert.deepEqual(stored?.redirectUris, ['https://video.example/callback', 'https://video.example/other']);
    assert.equal(stored?.backchannelLogoutUri, 'https://video.example/backchannel');
    assert.equal(stored?.firstParty, true);
    assert.ok(stored?.confidential);

    // The secret works (a confidential client's introspection), and is never shown again.
    const config = await oidc.discovery(new URL(issuerOf(org)), clientId, secret, undefined, insecure);
    assert.equal((await oidc.tokenIntrospection(config, 'no-such-token')).active, false);
    const list = await browser.get('/admin/clients');
    assert.match(list.body, new RegExp(clientId));
    assert.doesNotMatch(list.body, new RegExp(secret));
    assert.doesNotMatch((await browser.get(`/admin/clients/${clientId}`)).body, new RegExp(secret));

    const [audit] = await listAuditEvents(t.deps.db, { tenantId: org.tenantId, event: 'oidc_client_registered', limit: 5 });
    assert.equal(audit?.actorAccountId, admin.id);
    assert.equal(audit?.details.clientId, clientId);
    assert.doesNotMatch(JSON.stringify(audit?.details), new RegExp(secret), 'the audit row holds no secret');
  });

  test('removing asks the password and a code; the application then logs nobody in', async () => {
    const { org, admin, browser, app } = await adminWithCode();
    t.clock.advanceSeconds(30);
    const made = await browser.post('/admin/clients', { ...form, kind: 'public', firstParty: '', password: admin.password, code: app.code(t) });
    const clientId = /<dt>client_id<\/dt><dd><code>([^<]+)<\/code>/.exec(made.body)![1]!;
    assert.doesNotMatch(made.body, /client_secret/, 'a public client has no secret');
    const detail = await browser.get(`/admin/clients/${clientId}`);
    assert.equal(detail.statusCode, 200);
    assert.match(detail.body, /https:\/\/video\.example\/bye/);
    const noProof = await browser.post(`/admin/clients/${clientId}/remove`, {});
    assert.equal(noProof.statusCode, 400);
    assert.ok(await findOpenIdClient(t.deps, org, clientId), 'still there');
    t.clock.advanceSeconds(30);
    const removed = await browser.post(`/admin/clients/${clientId}/remove`, { password: admin.password, code: app.code(t) });
    assert.equal(removed.headers.location, '/admin/clients?removed=1');
    assert.equal(await findOpenIdClient(t.deps, org, clientId), null);
    const authorize = await browser.get(`/oidc/auth?client_id=${clientId}&response_type=code&scope=openid&redirect_uri=${encodeURIComponent('https://video.example/callback')}&code_challenge=${'a'.repeat(43)}&code_challenge_method=S256`);
    assert.equal(authorize.statusCode, 400);
    assert.match(authorize.body, /invalid_client/);
    const [audit] = await listAuditEvents(t.deps.db, { tenantId: org.tenantId, event: 'oidc_client_removed', limit: 5 });
    assert.equal(audit?.actorAccountId, admin.id);
    assert.equal((await browser.get('/admin/clients/no-such-client')).statusCode, 404);
  });

  test('only admins: helpdesk, professionals and clients get 404, and their POSTs change nothing', async () => {
    const org = await createTestOrg(t);
    for (const role of ['helpdesk', 'professional', 'client'] as const) {
      const account = await createActiveAccount(t, org, { role });
      const browser = new TestBrowser(t.app, `${hostOf(org)}:${port}`);
      await browser.login(account.email, account.password);
      assert.equal((await browser.get('/admin/clients')).statusCode, 404, role);
      await browser.get('/account');
      assert.equal((await browser.post('/admin/clients', { ...form, password: account.password })).statusCode, 404, role);
    }
    assert.equal((await listOpenIdClients(t.deps, org)).length, 0);
  });
});
