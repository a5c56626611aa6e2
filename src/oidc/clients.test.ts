import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clientInputProblem, isAcceptableBackchannelUri } from './clients.js';

const sound = { name: 'Dagboek', redirectUris: ['https://app.example/cb'], postLogoutRedirectUris: [], backchannelLogoutUri: null };

test('a back-channel logout URI: https; http on a loopback address only outside production (SPEC 10)', () => {
  assert.equal(isAcceptableBackchannelUri('https://app.example/bc', true), true);
  assert.equal(isAcceptableBackchannelUri('http://127.0.0.1:8080/bc', false), true);
  assert.equal(isAcceptableBackchannelUri('http://127.0.0.1:8080/bc', true), false);
  assert.equal(isAcceptableBackchannelUri('http://localhost/bc', true), false);
  assert.equal(isAcceptableBackchannelUri('http://app.example/bc', false), false);
  assert.equal(isAcceptableBackchannelUri('https://user:pw@app.example/bc', false), false);
  assert.equal(clientInputProblem({ ...sound, backchannelLogoutUri: 'http://127.0.0.1/bc' }, true), 'invalid_backchannel_uri');
});

test('a registration names what is wrong: the name, the redirect URIs (1 to 10), the logout URIs', () => {
  assert.equal(clientInputProblem(sound, true), null);
  assert.equal(clientInputProblem({ ...sound, name: ' ' }, true), 'invalid_name');
  assert.equal(clientInputProblem({ ...sound, name: 'a\u0007b' }, true), 'invalid_name');
  assert.equal(clientInputProblem({ ...sound, redirectUris: [] }, true), 'invalid_redirect_uri');
  assert.equal(clientInputProblem({ ...sound, redirectUris: Array.from({ length: 11 }, (_, i) => `https://app.example/${i}`) }, true), 'invalid_redirect_uri');
  assert.equal(clientInputProblem({ ...sound, redirectUris: ['https://app.example/cb#frag'] }, true), 'invalid_redirect_uri');
  assert.equal(clientInputProblem({ ...sound, postLogoutRedirectUris: ['javascript:alert(1)'] }, true), 'invalid_logout_uri');
});
