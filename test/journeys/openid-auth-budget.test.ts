/**
 * Attack review 2 (fixed): the budget on authorization requests (SECURITY 37, flows/openid.ts)
 * counted only browsers that are not logged in, so any logged-in account — with self-registration
 * anyone can have one — wrote an interaction per request without limit. Now counted per account.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as oidc from 'openid-client';
import { accountAuthorizationLimit } from '../../src/flows/openid.js';
import { TestBrowser } from '../browser-client.js';
import { createActiveAccount, createTestOrg, hostOf } from '../harness.js';
import { insecure, issuerOf, port, publicClient, redirectUri, t } from '../openid-helpers.js';

describe('SPEC 10 attacked: the authorization-request budget', () => {
  test('a logged-in browser is counted too: its authorization requests do not write interactions without limit', async () => {
    const org = await createTestOrg(t);
    const user = await createActiveAccount(t, org);
    const config = await oidc.discovery(new URL(issuerOf(org)), await publicClient(org), undefined, oidc.None(), insecure);
    const browser = new TestBrowser(t.app, `${hostOf(org)}:${port}`);
    assert.equal((await browser.login(user.email, user.password)).statusCode, 303);
    const url = oidc.buildAuthorizationUrl(config, { redirect_uri: redirectUri, scope: 'openid', prompt: 'login', state: 'x'.repeat(3000), code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()), code_challenge_method: 'S256' });
    const statuses = new Map<number, number>();
    const tries = accountAuthorizationLimit.limit + 50;
    for (let i = 0; i < tries; i++) {
      const answer = await browser.get(`${url.pathname}${url.search}`);
      statuses.set(answer.statusCode, (statuses.get(answer.statusCode) ?? 0) + 1);
    }
    const [{ n }] = (await t.deps.db.query<{ n: number }>("SELECT count(*)::int AS n FROM oidc_payload WHERE tenant_id = $1 AND model = 'Interaction'", [org.tenantId])) as [{ n: number }];
    assert.ok(n <= accountAuthorizationLimit.limit, `${n} interactions (each holding a 3 KB state) written by one browser in a minute`);
    assert.equal(statuses.get(429), tries - accountAuthorizationLimit.limit, 'then 429');
  });
});
