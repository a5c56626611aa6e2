import type { Role } from '../accounts/roles.js';
import type { Queryable } from '../db/db.js';
import { twoFactorRequirementFor, type Policy } from '../tenants/policy.js';
import { countPasskeys } from './passkey/store.js';
import { countRemainingRecoveryCodes } from './recovery-codes/store.js';
import { findActiveFactor, type SecondFactor } from './second-factor/store.js';

/**
 * What proves an account's second step now (SPEC 4.5, 11), in one place: its authenticator app or
 * phone, and its passkeys where two-step verification is `required` for the role and the
 * organization counts passkeys as a second step (`twoFactorMethods` has `passkey`). Nothing counts
 * where the policy for the role is `off`; where staff must use a passkey
 * (`passkeysRequiredForStaff`), a staff member's codes do not count, only a passkey does.
 *
 * Where two-step verification is `optional`, a passkey is a way in of its own (a whole login) and
 * does not turn on a second step after the password that the person did not choose: a patient who
 * added a passkey on their phone can still log in with the password on another computer.
 */
export interface SecondStep {
  /** The factor whose codes count; null where none does. */
  factor: SecondFactor | null;
  /** The account has a passkey and passkeys count as its second step. */
  passkey: boolean;
}

export const noSecondStep: SecondStep = Object.freeze({ factor: null, passkey: false });

export function hasSecondStep(step: SecondStep): boolean {
  return step.factor !== null || step.passkey;
}

/** SPEC 1: staff prove their second step with a passkey only. */
export function passkeyRequiredFor(policy: Policy, role: Role): boolean {
  return role !== 'client' && policy.passkeysRequiredForStaff;
}

/**
 * SPEC 4.6's trusted browser skips a code; where staff must use a passkey, nothing skips it (a
 * browser trusted by a code before the policy came in, or by a recovery code, does not).
 */
export function browserTrustCounts(policy: Policy, role: Role): boolean {
  return !passkeyRequiredFor(policy, role);
}

/** Whether a passkey may be (or become) this role's second step. */
export function passkeyCountsFor(policy: Policy, role: Role): boolean {
  return twoFactorRequirementFor(policy, role) === 'required' && policy.twoFactorMethods.includes('passkey');
}

export async function findSecondStep(db: Queryable, org: { tenantId: string; policy: Policy }, account: { id: string; role: Role }): Promise<SecondStep> {
  if (twoFactorRequirementFor(org.policy, account.role) === 'off') return noSecondStep;
  const factor = passkeyRequiredFor(org.policy, account.role) ? null : await findActiveFactor(db, org.tenantId, account.id);
  const passkey = passkeyCountsFor(org.policy, account.role) && (await countPasskeys(db, org.tenantId, account.id)) > 0;
  return { factor, passkey };
}

/**
 * What an account holds that proves it is its owner, for a step-up, a reset or a new second step:
 * wider than what satisfies the requirement (`findSecondStep`). A policy change that stops a
 * factor counting (`passkeysRequiredForStaff` on, `passkey` taken from `twoFactorMethods`) never
 * lowers what a takeover must prove: whoever sets up the next second step, or resets the password,
 * proves the factor still held (its code, its passkey, or a recovery code; SECURITY 14, 41).
 */
export async function findHeldSecondStep(db: Queryable, org: { tenantId: string; policy: Policy }, account: { id: string; role: Role }): Promise<SecondStep> {
  const requirement = twoFactorRequirementFor(org.policy, account.role);
  if (requirement === 'off') return noSecondStep;
  const factor = await findActiveFactor(db, org.tenantId, account.id);
  // Where two-step verification is optional a passkey is a way in of its own, no second step
  // (above) — unless it was one: it came with recovery codes when the policy required a second
  // step, and a policy made optional since does not let the mailbox or the password alone past it.
  const passkeys = await countPasskeys(db, org.tenantId, account.id);
  const passkey = passkeys > 0 && (requirement === 'required' || (factor === null && (await countRemainingRecoveryCodes(db, org.tenantId, account.id)) > 0));
  return { factor, passkey };
}
