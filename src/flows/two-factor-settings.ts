import { setCodeValidity, type Account } from '../accounts/accounts.js';
import { recordAudit, type RequestContext } from '../audit/audit.js';
import type { Failure, Ok } from '../core/outcome.js';
import type { Deps } from '../deps.js';
import { countRemainingRecoveryCodes } from '../factors/recovery-codes/store.js';
import { listPasskeys } from '../factors/passkey/store.js';
import { factorPhone, type SecondFactorMethod } from '../factors/second-factor/store.js';
import { findHeldSecondStep, hasSecondStep } from '../factors/second-step.js';
import { maskPhone } from '../factors/sms-code/phone.js';
import { allowedValidities, effectiveValidity, isCodeValidity, listTrustedBrowsers, removeTrustedBrowser, type CodeValidity, type TrustedBrowser } from '../factors/trusted-browser/store.js';
import { queueEmail } from '../messaging/outbox.js';
import type { SessionTarget } from './session-target.js';
import type { Organization } from '../tenants/organizations.js';
import { twoFactorRequirementFor } from '../tenants/policy.js';
import { publicUrl } from '../tenants/public-url.js';
import { removeSecondFactors } from './end-access.js';
import { stepUp, stepUpAsks, type StepUpAction, type StepUpFailure } from './step-up.js';
import { showNewRecoveryCodes } from './two-factor-setup.js';

type Target = SessionTarget;

export interface TwoFactorStatus {
  /** The method, and for SMS the number as pages show it (its last digits, SECURITY 45). */
  factor: { method: SecondFactorMethod; phone: string | null } | null;
  /** The account's passkeys count as its second step (SPEC 11); `passkeys` is how many it has. */
  passkeySecondStep: boolean;
  passkeys: number;
  recoveryCodesLeft: number;
  trustedBrowsers: TrustedBrowser[];
  validity: CodeValidity;
  validityChoices: CodeValidity[];
  /** SPEC 4.5: only where the org's policy for the role is `optional`. */
  mayTurnOff: boolean;
  /** What the forms on the page must ask, per action (SPEC 4.5's step-up table). */
  asks: Record<'new_recovery_codes' | 'change_two_factor_settings' | 'turn_off_two_factor', { password: boolean; code: boolean }>;
}

/** `/account/2fa`: the status and settings of the account's two-step verification. */
export async function viewTwoFactor(deps: Deps, org: Organization, target: Pick<Target, 'account' | 'session'>): Promise<TwoFactorStatus> {
  const { account, session } = target;
  const now = deps.clock.now();
  // What it holds, also a factor that no longer counts under a policy change: a change asks it still.
  const step = await findHeldSecondStep(deps.db, org, account);
  const factor = step.factor;
  const asked = (action: StepUpAction) => stepUpAsks(action, { session, now, factorInForce: hasSecondStep(step) });
  return {
    factor: factor ? { method: factor.method, phone: factor.phoneSealed ? maskPhone(factorPhone(deps.config.secretKey, factor)) : null } : null,
    passkeySecondStep: step.passkey,
    passkeys: (await listPasskeys(deps.db, org.tenantId, account.id)).length,
    recoveryCodesLeft: await countRemainingRecoveryCodes(deps.db, org.tenantId, account.id),
    trustedBrowsers: await listTrustedBrowsers(deps.db, org.tenantId, account.id, now),
    validity: effectiveValidity(account.codeValidity, org.policy),
    validityChoices: allowedValidities(org.policy),
    mayTurnOff: twoFactorRequirementFor(org.policy, account.role) === 'optional',
    asks: { new_recovery_codes: asked('new_recovery_codes'), change_two_factor_settings: asked('change_two_factor_settings'), turn_off_two_factor: asked('turn_off_two_factor') },
  };
}

/** SPEC 4.6: the code validity the user chooses, within the org's maximum; asks the password (SPEC 4.5). */
export async function changeCodeValidity(
  deps: Deps,
  org: Organization,
  client: RequestContext,
  target: Target,
  input: { validity: string; password: string },
): Promise<Ok | Failure<'invalid_validity'> | StepUpFailure> {
  const validity = input.validity;
  if (!isCodeValidity(validity) || !allowedValidities(org.policy).includes(validity)) return { ok: false, error: 'invalid_validity' };
  const proved = await stepUp(deps, org, client, target, 'change_two_factor_settings', { password: input.password });
  if (!proved.ok) return proved;
  const { account } = target;
  await setCodeValidity(deps.db, org.tenantId, account.id, validity);
  await recordAudit(deps.db, deps.clock.now(), client, { tenantId: org.tenantId, event: 'two_factor_settings_changed', outcome: 'success', actorAccountId: account.id, subjectAccountId: account.id, details: { codeValidity: validity } });
  return { ok: true };
}

/** Forgets one trusted browser of the account (SPEC 4.6: the trust is revocable); another's id changes nothing. */
export async function forgetTrustedBrowser(deps: Deps, org: Organization, client: RequestContext, account: Account, browserId: string): Promise<void> {
  if (!(await removeTrustedBrowser(deps.db, org.tenantId, account.id, browserId))) return;
  await recordAudit(deps.db, deps.clock.now(), client, { tenantId: org.tenantId, event: 'trusted_browser_removed', outcome: 'success', actorAccountId: account.id, subjectAccountId: account.id });
}

/** New recovery codes (the old set is void); asks the password (SPEC 4.5). */
export async function regenerateRecoveryCodes(
  deps: Deps,
  org: Organization,
  client: RequestContext,
  target: Target,
  input: { password: string },
): Promise<Ok | Failure<'no_factor'> | StepUpFailure> {
  const { account } = target;
  // Passkeys that are the second step count as a factor for the recovery-code rules (SPEC 11).
  if (!hasSecondStep(await findHeldSecondStep(deps.db, org, account))) return { ok: false, error: 'no_factor' };
  const proved = await stepUp(deps, org, client, target, 'new_recovery_codes', { password: input.password });
  if (!proved.ok) return proved;
  await deps.db.transaction(async (tx) => {
    await showNewRecoveryCodes(tx, deps, account, proved.session.id);
    await recordAudit(tx, deps.clock.now(), client, { tenantId: org.tenantId, event: 'recovery_codes_generated', outcome: 'success', actorAccountId: account.id, subjectAccountId: account.id });
    await queueEmail(tx, deps, org, account, { kind: 'recovery_codes_regenerated', name: account.name, helpLink: publicUrl(deps.config, org, '/help') });
  });
  return { ok: true };
}

/**
 * Turns two-step verification off: only where the org's policy for the role is optional, and it
 * asks the password and a code, always (SPEC 4.5). Factors, recovery codes and trusted browsers go.
 */
export async function turnOffTwoFactor(
  deps: Deps,
  org: Organization,
  client: RequestContext,
  target: Target,
  input: { password: string; code: string; passkey?: string },
): Promise<Ok | Failure<'required_by_policy'> | StepUpFailure> {
  const { account } = target;
  if (twoFactorRequirementFor(org.policy, account.role) !== 'optional') return { ok: false, error: 'required_by_policy' };
  const proved = await stepUp(deps, org, client, target, 'turn_off_two_factor', input);
  if (!proved.ok) return proved;
  await deps.db.transaction(async (tx) => {
    // Passkeys stay: where two-step verification is optional they are a way in of their own, no second step (second-step.ts).
    await removeSecondFactors(tx, org.tenantId, account.id);
    await recordAudit(tx, deps.clock.now(), client, { tenantId: org.tenantId, event: 'two_factor_disabled', outcome: 'success', actorAccountId: account.id, subjectAccountId: account.id });
    await queueEmail(tx, deps, org, account, { kind: 'two_factor_disabled', name: account.name, helpLink: publicUrl(deps.config, org, '/help') });
  });
  return { ok: true };
}
