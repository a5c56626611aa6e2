/**
 * SECURITY 47, SPEC 3: a password that zxcvbn expects to fall in fewer than
 * 10^passwordMinGuessesLog10 guesses is refused with its reason and a tip, on every form that sets
 * one; the hint while typing makes the very same judgement, so it never calls strong what the form
 * refuses.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { TestBrowser } from '../browser-client.js';
import { createActiveAccount, createTestApp, createTestOrg, hostOf, invitedAccount, loggedInBrowser, type TestApp } from '../harness.js';

let t: TestApp;
before(async () => {
  t = await createTestApp();
});
after(async () => t.close());

const guessable = 'Welkom12345!';

describe('SECURITY 47: passwords below the guess floor', () => {
  test('Welkom12345! meets every other rule and is refused on the welcome and change forms, with a tip; the floor is the policy’s', async () => {
    const org = await createTestOrg(t, { locale: 'nl' });
    const { link } = await invitedAccount(t, org, 'anna@example.org');
    const browser = new TestBrowser(t.app, hostOf(org), { 'accept-language': 'nl' });
    await browser.get(link);
    const refused = await browser.post(link, { password: guessable, passwordConfirm: guessable });
    assert.equal(refused.statusCode, 200);
    // invitedAccount sets English for the account: its language holds over the browser's Dutch (issue 12 stumble 10).
    assert.match(refused.body, /too easy to guess/);
    assert.match(refused.body, /Tip: Add more words/);
    assert.doesNotMatch(refused.body, /may not contain your e-mail address/, 'the floor is its own reason');

    const user = await createActiveAccount(t, org);
    const account = await loggedInBrowser(t, org, user);
    await account.get('/account/password');
    const change = await account.post('/account/password', { currentPassword: user.password, password: guessable, passwordConfirm: guessable });
    assert.match(change.body, /too easy to guess|te makkelijk te raden/);

    const lenient = await createTestOrg(t, { policy: { passwordMinGuessesLog10: 6 } });
    const invited = await invitedAccount(t, lenient, 'lenient@example.org');
    const other = new TestBrowser(t.app, hostOf(lenient));
    await other.get(invited.link);
    assert.equal((await other.post(invited.link, { password: guessable, passwordConfirm: guessable })).statusCode, 303, 'with a floor of 10^6 it passes');
  });

  test('the hint endpoint judges like the form, is bound to the session’s CSRF token, and is throttled', async () => {
    const org = await createTestOrg(t);
    const user = await createActiveAccount(t, org);
    const browser = await loggedInBrowser(t, org, user);
    await browser.get('/account/password');
    const weak = await browser.post('/password/strength', { password: guessable });
    assert.equal(weak.statusCode, 200);
    const weakAnswer = JSON.parse(weak.body) as { score: number; acceptable: boolean; problems: string | null };
    assert.equal(weakAnswer.acceptable, false);
    assert.ok(weakAnswer.score <= 2, 'never good or strong while refused');
    assert.match(weakAnswer.problems ?? '', /too easy to guess/);
    const current = JSON.parse((await browser.post('/password/strength', { password: user.password })).body) as { acceptable: boolean; problems: string };
    assert.equal(current.acceptable, false, 'the current password is judged as the form would');
    assert.match(current.problems, /other than your current/);
    const strong = JSON.parse((await browser.post('/password/strength', { password: 'amber kettle sings 4 owls' })).body) as { score: number; acceptable: boolean };
    assert.deepEqual([strong.acceptable, strong.score >= 3], [true, true]);

    assert.equal((await browser.post('/password/strength', { password: guessable, _csrf: 'forged' })).statusCode, 403);
    const anonymous = await t.app.inject({ method: 'POST', url: '/password/strength', headers: { host: hostOf(org), 'content-type': 'application/x-www-form-urlencoded' }, payload: 'password=x' });
    assert.equal(anonymous.statusCode, 403, 'no session, no answer');

    let last = 200;
    for (let i = 0; i < 60 && last === 200; i++) last = (await browser.post('/password/strength', { password: `attempt number ${i}` })).statusCode;
    assert.equal(last, 429, 'a script asking without pause is throttled per session');
  });
});
