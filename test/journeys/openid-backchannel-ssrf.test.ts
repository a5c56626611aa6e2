/**
 * Attack review 2 (held): in production the provider's own fetch is used, which refuses to talk to
 * special-use addresses whatever the name, and follows no redirect. A client whose back-channel URI
 * names a loopback address (put in the table directly, past the registration check) is not called.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { registerOpenIdClient } from '../../src/flows/openid-clients.js';
import { createOrganizationProvider, deliverLogoutToken } from '../../src/oidc/provider.js';
import { createTestOrg } from '../harness.js';
import { redirectUri, t } from '../openid-helpers.js';

let hits = 0;
let server: Server;
let serverPort: number;
before(async () => {
  server = createServer((_q, r) => {
    hits += 1;
    r.writeHead(200).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  serverPort = (server.address() as { port: number }).port;
});
after(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('SPEC 10 attacked (held): back-channel SSRF in production', () => {
  for (const host of ['127.0.0.1', 'localhost']) {
    test(`a back-channel URI on ${host} is not called by a production provider`, async () => {
      const org = await createTestOrg(t);
      const made = await registerOpenIdClient(t.deps, org, { name: 'x', redirectUris: [redirectUri], postLogoutRedirectUris: [], backchannelLogoutUri: `https://example.org/bc`, public: false, firstParty: true, offlineAccess: false });
      assert.ok(made.ok);
      await t.deps.db.query('UPDATE oidc_client SET backchannel_logout_uri = $3 WHERE tenant_id = $1 AND client_id = $2', [org.tenantId, made.client.clientId, `http://${host}:${serverPort}/bc`]);
      const provider = await createOrganizationProvider({ ...t.deps, config: { ...t.deps.config, production: true }, log: { warn() {} } }, org);
      const before = hits;
      await assert.rejects(deliverLogoutToken(provider, made.client.clientId, '00000000-0000-0000-0000-000000000000', 'sid'), (e: Error) => /special-use/.test(String((e.cause as Error | undefined)?.message ?? e.message)));
      assert.equal(hits, before, 'the loopback receiver was never reached');
    });
  }
});
