/** SPEC 10 and 11: after a passkey login the provider reports the stronger acr and amr hwk, user. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as oidc from 'openid-client';
import { TestBrowser } from '../browser-client.js';
import { createActiveAccount, createTestOrg, hostOf } from '../harness.js';
import { browserLogin, insecure, issuerOf, port, publicClient, redirectUri, t } from '../openid-helpers.js';
import { SoftAuthenticator } from '../passkey-authenticator.js';
import { passkeyLoginStep, startAdding } from '../passkey-helpers.js';

describe('SPEC 10, 11: a passkey login at the provider', () => {
  test('the ID token says acr 2fa, amr hwk and user, and asking acr 2fa asks nothing more', async () => {
    const org = await createTestOrg(t);
    const account = await createActiveAccount(t, org);
    const key = new SoftAuthenticator();
    const setup = new TestBrowser(t.app, `${hostOf(org)}:${port}`);
    await setup.login(account.email, account.password);
    const options = await startAdding(setup, { password: account.password }, 'Laptop');
    assert.equal((await setup.post('/account/passkeys/new', { name: 'Laptop', response: JSON.stringify(key.create(options, issuerOf(org))) })).headers.location, '/account/passkeys?added=1');

    const config = await oidc.discovery(new URL(issuerOf(org)), await publicClient(org), undefined, oidc.None(), insecure);
    const verifier = oidc.randomPKCECodeVerifier();
    const url = oidc.buildAuthorizationUrl(config, { redirect_uri: redirectUri, scope: 'openid', acr_values: 'urn:ingang:acr:2fa', code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256' });
    const callback = await browserLogin(org, url, passkeyLoginStep(key, issuerOf(org)));
    const claims = (await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier })).claims()!;
    assert.equal(claims.acr, 'urn:ingang:acr:2fa');
    assert.deepEqual(claims.amr, ['hwk', 'user']);
  });
});
