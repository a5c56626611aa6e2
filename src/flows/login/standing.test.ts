import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Account } from '../../accounts/accounts.js';
import { defaultPolicy, type Policy } from '../../tenants/policy.js';
import { deriveStanding } from './standing.js';
import type { WebSession } from '../../sessions/web-sessions.js';

const tenantId = '11111111-1111-4111-8111-111111111111';
const accountId = '22222222-2222-4222-8222-222222222222';
const login = new Date('2024-05-01T08:00:00.000Z');
const minutes = (n: number) => n * 60_000;
const after = (ms: number) => new Date(login.getTime() + ms);

const policy: Policy = { ...defaultPolicy, twoFactorMethods: [...defaultPolicy.twoFactorMethods], idleMinutes: 60, absoluteHours: 12 };

function account(overrides: Partial<Account> = {}): Account {
  return {
    tenantId,
    id: accountId,
    email: 'Jan@Example.nl',
    name: 'Jan',
    role: 'client',
    state: 'active',
    locale: null,
    passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA',
    passwordChangedAt: new Date('2024-04-01T00:00:00.000Z'),
    failedLoginCount: 0,
    lastFailedLoginAt: null,
    codeValidity: '1h',
    selfRegistered: false,
    createdAt: new Date('2024-03-01T00:00:00.000Z'),
    ...overrides,
  };
}

function session(overrides: Partial<WebSession> = {}): WebSession {
  return {
    tenantId,
    id: 'sessionid0000000000000',
    accountId,
    createdAt: login,
    lastSeenAt: login,
    authenticatedAt: login,
    passwordVerifiedAt: login,
    secondFactorVerifiedAt: null,
    passkeyVerifiedAt: null,
    codeFailures: 0,
    recoveryCodesSealed: null,
    loginId: '44444444-4444-4444-8444-444444444444',
    ...overrides,
  };
}

function standing(input: { session?: WebSession | null; account?: Account | null; policy?: Policy; now?: Date; hasSecondFactor?: boolean; browserTrusted?: boolean }) {
  const s = input.session === undefined ? session() : input.session;
  return deriveStanding({
    attempt: s === null ? null : { kind: 'web', session: s },
    account: input.account === undefined ? account() : input.account,
    policy: input.policy ?? policy,
    now: input.now ?? after(minutes(5)),
    hasSecondFactor: input.hasSecondFactor ?? false,
    browserTrusted: input.browserTrusted ?? false,
  });
}

test('a fresh logged-in session is authenticated, for that account', () => {
  const result = standing({});
  assert.equal(result.kind, 'authenticated');
  if (result.kind === 'authenticated') assert.equal(result.account.id, accountId);
});

test('without a session, anonymous', () => {
  assert.deepEqual(standing({ session: null }), { kind: 'anonymous' });
});

test('a session without an account (before login) is anonymous', () => {
  assert.deepEqual(standing({ session: session({ accountId: null, authenticatedAt: null, passwordVerifiedAt: null }) }), { kind: 'anonymous' });
  assert.deepEqual(standing({ session: session({ accountId: null }), account: null }), { kind: 'anonymous' });
});

test('a session whose account no longer exists is anonymous', () => {
  assert.deepEqual(standing({ account: null }), { kind: 'anonymous' });
});

test('an account that is not the session\'s is never used', () => {
  const other = account({ id: '33333333-3333-4333-8333-333333333333' });
  assert.deepEqual(standing({ account: other }), { kind: 'anonymous' });
});

test('expired once absoluteHours have passed since the login, however active', () => {
  const now = after(12 * 3600_000);
  const active = session({ lastSeenAt: new Date(now.getTime() - 1000) });
  assert.deepEqual(standing({ session: active, now }), { kind: 'expired' });
  assert.deepEqual(standing({ session: active, now: after(13 * 3600_000) }), { kind: 'expired' });
  const justBefore = after(12 * 3600_000 - 1000);
  assert.equal(standing({ session: session({ lastSeenAt: justBefore }), now: justBefore }).kind, 'authenticated');
});

test('the absolute limit follows the org policy', () => {
  const now = after(2 * 3600_000);
  const s = session({ lastSeenAt: now });
  assert.equal(standing({ session: s, now }).kind, 'authenticated');
  assert.deepEqual(standing({ session: s, now, policy: { ...policy, absoluteHours: 2 } }), { kind: 'expired' });
});

test('a deactivated account ends the session', () => {
  assert.deepEqual(standing({ account: account({ state: 'deactivated' }) }), { kind: 'expired' });
});

test('an invited account (no password yet) has no session', () => {
  assert.deepEqual(standing({ account: account({ state: 'invited', passwordHash: null, passwordChangedAt: null }) }), { kind: 'expired' });
});

test('a password changed after this session verified one ends the session', () => {
  assert.deepEqual(standing({ account: account({ passwordChangedAt: after(1000) }) }), { kind: 'expired' });
  assert.deepEqual(standing({ account: account({ passwordChangedAt: after(minutes(4)) }), now: after(minutes(5)) }), { kind: 'expired' });
});

test('a password set before (or at) the session\'s verification keeps it', () => {
  assert.equal(standing({ account: account({ passwordChangedAt: login }) }).kind, 'authenticated');
  assert.equal(standing({ account: account({ passwordChangedAt: new Date(login.getTime() - 1) }) }).kind, 'authenticated');
});

test('after idleMinutes without activity the password is asked again', () => {
  const idle = standing({ now: after(minutes(60)) });
  assert.equal(idle.kind, 'needs_password');
  if (idle.kind === 'needs_password') assert.equal(idle.account.id, accountId);
  assert.equal(standing({ now: after(minutes(61)) }).kind, 'needs_password');
  assert.equal(standing({ now: after(minutes(60) - 1) }).kind, 'authenticated');
});

test('idleness counts from the last activity, not from the login', () => {
  const s = session({ lastSeenAt: after(minutes(100)) });
  assert.equal(standing({ session: s, now: after(minutes(150)) }).kind, 'authenticated');
  assert.equal(standing({ session: s, now: after(minutes(160)) }).kind, 'needs_password');
});

test('the idle limit follows the org policy', () => {
  const strict = { ...policy, idleMinutes: 15 };
  assert.equal(standing({ policy: strict, now: after(minutes(14)) }).kind, 'authenticated');
  assert.equal(standing({ policy: strict, now: after(minutes(15)) }).kind, 'needs_password');
});

test('a session that never verified a password needs it', () => {
  const s = session({ passwordVerifiedAt: null, authenticatedAt: null });
  const result = standing({ session: s });
  assert.equal(result.kind, 'needs_password');
  assert.equal(standing({ session: session({ passwordVerifiedAt: null }) }).kind, 'needs_password');
});

test('the absolute limit wins over idleness', () => {
  assert.deepEqual(standing({ now: after(24 * 3600_000) }), { kind: 'expired' });
});

test('deriveStanding does not change what it is given', () => {
  const s = session();
  const a = account();
  const p = { ...policy, twoFactorMethods: [...policy.twoFactorMethods] };
  const copies = structuredClone({ s, a, p });
  deriveStanding({ attempt: { kind: 'web', session: s }, account: a, policy: p, now: after(minutes(90)), hasSecondFactor: false, browserTrusted: false });
  assert.deepEqual({ s, a, p }, copies);
});

test('with a second factor: the password alone grants nothing; the code step does', () => {
  assert.equal(standing({ hasSecondFactor: true }).kind, 'needs_second_factor');
  assert.equal(standing({ hasSecondFactor: true, session: session({ secondFactorVerifiedAt: login }) }).kind, 'authenticated');
});

test('with a second factor, inactivity asks a code, not the password; a trusted browser asks the password (SECURITY 43)', () => {
  const idle = { hasSecondFactor: true, session: session({ secondFactorVerifiedAt: login }), now: after(minutes(61)) };
  const result = standing(idle);
  assert.equal(result.kind, 'needs_second_factor');
  if (result.kind === 'needs_second_factor') assert.equal(result.reason, 'idle');
  assert.equal(standing({ ...idle, browserTrusted: true }).kind, 'needs_password', 'the trust skips the code, never the idle limit');
  assert.equal(standing({ hasSecondFactor: true, browserTrusted: true }).kind, 'authenticated', 'a trusted browser skips the code at login');
  assert.equal(standing({ hasSecondFactor: true, browserTrusted: true, now: after(minutes(59)) }).kind, 'authenticated', 'within the idle limit it asks nothing');
});

test('where the policy requires two-step verification and none is set up, setup comes first', () => {
  const required = { ...policy, twoFactorClients: 'required' as const };
  assert.equal(standing({ policy: required }).kind, 'needs_two_factor_setup');
  assert.equal(standing({ policy: required, hasSecondFactor: true, session: session({ secondFactorVerifiedAt: login }) }).kind, 'authenticated');
  assert.equal(standing({ policy: { ...policy, twoFactorStaff: 'required' as const } }).kind, 'authenticated', 'the staff rule does not bind clients');
});

test('recovery codes shown and not yet confirmed keep the user on that page', () => {
  assert.equal(standing({ hasSecondFactor: true, session: session({ secondFactorVerifiedAt: login, recoveryCodesSealed: 'v1.x' }) }).kind, 'needs_recovery_codes_stored');
});

test('where the org turned two-step verification off, a factor is not asked', () => {
  assert.equal(standing({ hasSecondFactor: true, policy: { ...policy, twoFactorClients: 'off' as const } }).kind, 'authenticated');
});

/** An app login: the password was right just now; the code, when it was. */
function appStanding(input: { policy?: Policy; hasSecondFactor?: boolean; codeAt?: Date | null; account?: Account; now?: Date }) {
  return deriveStanding({
    attempt: { kind: 'app', accountId, passwordVerifiedAt: login, secondFactorVerifiedAt: input.codeAt ?? null },
    account: input.account ?? account(),
    policy: input.policy ?? policy,
    now: input.now ?? after(minutes(1)),
    hasSecondFactor: input.hasSecondFactor ?? false,
    browserTrusted: false,
  });
}

test('an app login: the three answers of SPEC 5 come from the same rules as the browser', () => {
  assert.equal(appStanding({}).kind, 'authenticated', 'without a factor: a device');
  assert.equal(appStanding({ hasSecondFactor: true }).kind, 'needs_second_factor', 'with one: a challenge for the code');
  assert.equal(appStanding({ hasSecondFactor: true, codeAt: after(minutes(1)) }).kind, 'authenticated', 'after the code: a device');
  assert.equal(appStanding({ policy: { ...policy, twoFactorClients: 'required' } }).kind, 'needs_two_factor_setup', 'setup happens in a browser');
  assert.equal(appStanding({ hasSecondFactor: true, policy: { ...policy, twoFactorClients: 'off' } }).kind, 'authenticated', 'the factor-in-force rule holds');
});

test('an app login has no idle limit of its own and never holds recovery codes; a changed password or account still ends it', () => {
  assert.equal(appStanding({ now: after(minutes(90)) }).kind, 'authenticated');
  assert.equal(appStanding({ account: account({ passwordChangedAt: after(1000) }) }).kind, 'expired');
  assert.equal(appStanding({ account: account({ state: 'deactivated' }) }).kind, 'expired');
});
