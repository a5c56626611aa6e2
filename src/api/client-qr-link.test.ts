// The token of the QR code's app login link (`https://<org host>/app/login#<token>`).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { qrTokenFromUrl } from './client.js';

describe('qrTokenFromUrl', () => {
  it('takes the token from the fragment of an app login link', () => {
    assert.equal(qrTokenFromUrl('https://linde.example.nl/app/login#AbC_12-3.xYz'), 'AbC_12-3.xYz');
    assert.equal(qrTokenFromUrl('http://linde.localhost:3000/app/login#tok'), 'tok', 'http for development');
    assert.equal(qrTokenFromUrl('  https://LINDE.example.nl/app/login#tok\n'), 'tok', 'surrounding white space and host case');
  });

  it('refuses anything else', () => {
    for (const url of [
      '',
      'not a url',
      'https://linde.example.nl/app/login',
      'https://linde.example.nl/app/login#',
      'https://linde.example.nl/app/login/#tok',
      'https://linde.example.nl/app/logins#tok',
      'https://linde.example.nl/App/Login#tok',
      'https://linde.example.nl/login#tok',
      'https://linde.example.nl/app/login?x=1#tok',
      'https://user:pw@linde.example.nl/app/login#tok',
      'javascript://linde.example.nl/app/login#tok',
      'ftp://linde.example.nl/app/login#tok',
      'https://linde.example.nl/app/login#tok%20en',
      'https://linde.example.nl/app/login#tok#en',
      `https://linde.example.nl/app/login#${'a'.repeat(513)}`,
    ]) {
      assert.equal(qrTokenFromUrl(url), null, url);
    }
  });
});
