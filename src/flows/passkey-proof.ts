import type { AuthenticationResponseJSON } from '@simplewebauthn/server';
import { findAccountById, type Account } from '../accounts/accounts.js';
import { recordAudit, type RequestContext } from '../audit/audit.js';
import type { Failure, Ok } from '../core/outcome.js';
import type { Deps } from '../deps.js';
import { takeChallenge, type ChallengePurpose } from '../factors/passkey/challenges.js';
import { findPasskeyByCredential, recordPasskeyUse, type Passkey } from '../factors/passkey/store.js';
import { verifyAuthentication } from '../factors/passkey/webauthn.js';
import type { Organization } from '../tenants/organizations.js';

/** A credential id as WebAuthn allows it (L3 §7.1: at most 1,023 bytes), base64url: anything else is no answer. */
export const credentialIdPattern = /^[A-Za-z0-9_-]{16,1364}$/;

export function refusedPasskeyAudit(deps: Deps, org: Organization, client: RequestContext, accountId: string | null, reason: string, credentialId: string | null) {
  return recordAudit(deps.db, deps.clock.now(), client, {
    tenantId: org.tenantId,
    event: 'passkey_refused',
    outcome: 'failure',
    actorAccountId: accountId,
    subjectAccountId: accountId,
    // Only base64url characters of the id, and only its start: the rest is the sender's.
    details: { reason, credentialId: typeof credentialId === 'string' ? credentialId.replace(/[^A-Za-z0-9_-]/g, '').slice(0, 100) : null },
  });
}

export type PasskeyProof = Ok<{ passkey: Passkey; account: Account }> | Failure<'no_ceremony' | 'refused'>;

/**
 * One passkey answer checked (SPEC 11), for a login and a step-up alike: the challenge this browser
 * session's login was given for `purpose` (used once), a passkey of this organization (and of the
 * challenge's account where it names one), an active account, user verification, a signature
 * that holds and a counter that grew (compare-and-set: two answers with one counter, one proof).
 * Every refusal is audited with its reason; a proof is audited `passkey_used` with `via`.
 */
export async function provePasskey(
  deps: Deps,
  org: Organization,
  client: RequestContext,
  input: { loginId: string; purpose: Exclude<ChallengePurpose, 'register'>; responseJson: string },
): Promise<PasskeyProof> {
  const now = deps.clock.now();
  const taken = await takeChallenge(deps.db, org.tenantId, input.loginId, input.purpose, now);
  if (!taken) return { ok: false, error: 'no_ceremony' };
  const refuse = async (accountId: string | null, reason: string, credentialId: string | null): Promise<PasskeyProof> => {
    await refusedPasskeyAudit(deps, org, client, accountId, reason, credentialId);
    return { ok: false, error: 'refused' };
  };
  const response = parseJson<AuthenticationResponseJSON>(input.responseJson);
  const handle: unknown = response?.response?.userHandle;
  if (!response || typeof response.id !== 'string' || !credentialIdPattern.test(response.id) || (handle !== undefined && typeof handle !== 'string')) {
    return refuse(taken.accountId, 'invalid_response', null);
  }
  // A credential of another organization is no passkey here: its relying party differs, and it is unknown.
  const passkey = await findPasskeyByCredential(deps.db, org.tenantId, response.id);
  if (!passkey) return refuse(taken.accountId, 'unknown_credential', response.id);
  // A ceremony asked of one account (a second step, a step-up) takes only that account's passkeys.
  if (taken.accountId !== null && passkey.accountId !== taken.accountId) return refuse(taken.accountId, 'other_account', response.id);
  const account = await findAccountById(deps.db, org.tenantId, passkey.accountId);
  if (!account || account.state !== 'active') return refuse(passkey.accountId, 'account_not_active', response.id);
  const check = await verifyAuthentication(deps.config, org, response, taken.challenge, passkey);
  const handleMatches = !handle || Buffer.from(handle as string, 'base64url').toString('utf8') === account.id;
  if (!check.ok || !handleMatches) return refuse(account.id, check.ok ? 'user_handle_mismatch' : check.reason, response.id);
  if (!(await recordPasskeyUse(deps.db, passkey, check.newCounter, check.backedUp, now))) return refuse(account.id, 'counter_not_grown', response.id);
  await recordAudit(deps.db, now, client, { tenantId: org.tenantId, event: 'passkey_used', outcome: 'success', actorAccountId: account.id, subjectAccountId: account.id, details: { passkeyId: passkey.id, via: input.purpose } });
  return { ok: true, passkey, account };
}

export function parseJson<T>(text: string): T | null {
  if (text.length === 0 || text.length > 64 * 1024) return null;
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === 'object' ? (value as T) : null;
  } catch {
    return null;
  }
}
