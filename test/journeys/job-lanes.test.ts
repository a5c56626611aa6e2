/**
 * Attack review 2 (fixed): the job queue was one serial lane for every organization. A back-channel
 * endpoint that accepts the connection and never answers (a tarpit, or a firewall that drops)
 * costs the worker the provider's 2.5 s timeout per logout token, and each token is retried 24
 * times. One logout of one user who reached K such applications queued K of them, and the
 * password-reset mail of another organization waited behind them (SECURITY 33/37). Back-channel
 * jobs now run in a lane of their own, several at a time.
 */
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import * as oidc from 'openid-client';
import { registerOpenIdClient } from '../../src/flows/openid-clients.js';
import type { Organization } from '../../src/tenants/organizations.js';
import { TestBrowser } from '../browser-client.js';
import { createActiveAccount, createTestOrg, hostOf } from '../harness.js';
import { browserLogin, insecure, issuerOf, passwordLogin, port, redirectUri, t } from '../openid-helpers.js';

let tarpit: Server;
let tarpitPort: number;
const held: Socket[] = [];
before(async () => {
  tarpit = createServer((socket) => {
    held.push(socket); // read nothing, answer nothing
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => tarpit.listen(0, '127.0.0.1', resolve));
  tarpitPort = (tarpit.address() as { port: number }).port;
});
after(async () => {
  for (const s of held) s.destroy();
  await new Promise<void>((resolve) => tarpit.close(() => resolve()));
});

async function tarpitApplication(org: Organization, name: string) {
  const made = await registerOpenIdClient(t.deps, org, { name, redirectUris: [redirectUri], postLogoutRedirectUris: [], backchannelLogoutUri: `http://127.0.0.1:${tarpitPort}/${name}`, public: false, firstParty: true, offlineAccess: false });
  assert.ok(made.ok && made.secret);
  return oidc.discovery(new URL(issuerOf(org)), made.client.clientId, made.secret, undefined, insecure);
}

describe('SPEC 10 attacked: a hanging back-channel endpoint and the job queue', () => {
  test('another organization’s reset mail is not held up behind one org’s hanging back-channel endpoints', async () => {
    const orgB = await createTestOrg(t);
    const victim = await createActiveAccount(t, orgB);
    const orgA = await createTestOrg(t);
    const user = await createActiveAccount(t, orgA);
    const configs = [];
    for (let i = 0; i < 4; i++) configs.push(await tarpitApplication(orgA, `app${i}-${orgA.slug}`));
    const browser = new TestBrowser(t.app, `${hostOf(orgA)}:${port}`);
    for (const config of configs) {
      const verifier = oidc.randomPKCECodeVerifier();
      const url = oidc.buildAuthorizationUrl(config, { redirect_uri: redirectUri, scope: 'openid', code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256' });
      await browserLogin(orgA, url, passwordLogin(user), browser);
    }
    await browser.get('/account');
    assert.equal((await browser.post('/logout', {})).statusCode, 303, 'one logout: one job per application reached');

    const other = new TestBrowser(t.app, `${hostOf(orgB)}:${port}`);
    await other.submit('/password/forgot', '/password/forgot', { email: victim.email });

    // The pass runs; the reset mail must go out while the logout tokens are still waiting on the
    // hanging endpoint (their lane is their own), not after them.
    const pass = t.jobs.runDue();
    for (let tries = 0; !t.mail.sent.some((m) => m.to === victim.email) && tries < 200; tries++) await new Promise((resolve) => setTimeout(resolve, 25));
    assert.ok(t.mail.sent.some((m) => m.to === victim.email), 'the other organization’s mail went out');
    const lanes = await t.deps.db.query<{ n: number }>("SELECT count(*)::int AS n FROM job WHERE tenant_id = $1 AND kind = 'oidc_backchannel_logout' AND last_error IS NULL AND done_at IS NULL", [orgA.tenantId]);
    assert.equal(lanes[0]!.n, 4, 'while all four logout tokens were still on their first try');
    await pass;
  });
});
