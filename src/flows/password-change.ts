import { setAccountPassword } from '../accounts/accounts.js';
import { voidAccountTokens } from '../accounts/link-tokens.js';
import { recordAudit, type RequestContext } from '../audit/audit.js';
import type { Failure, Ok } from '../core/outcome.js';
import type { Deps } from '../deps.js';
import { hashPassword } from '../factors/password/hashing.js';
import { rejectNewPassword, type PasswordRejection } from '../factors/password/new-password.js';
import { findSecondStep, hasSecondStep } from '../factors/second-step.js';
import { removeAllTrustedBrowsers } from '../factors/trusted-browser/store.js';
import { queueEmail } from '../messaging/outbox.js';
import { deleteAccountSessions, rotateSession } from '../sessions/web-sessions.js';
import type { Locale, Organization } from '../tenants/organizations.js';
import { publicUrl } from '../tenants/public-url.js';
import { endOpenIdAccess } from './openid-logout.js';
import { endAppAccess } from './end-access.js';
import type { SessionTarget } from './session-target.js';
import { stepUp, type StepUpFailure } from './step-up.js';

export type ChangePasswordOutcome = Ok | StepUpFailure | Failure<'password_rejected', { rejection: PasswordRejection }>;

/**
 * `/account/password` (SPEC 4.4, 4.5): the step-up asks the current password (a wrong one
 * counts toward the account's lock like a failed login) and, with two-step verification, a code
 * — after the new password passed the rules, so a code is not used up by a refused password. The
 * account's other web sessions, its outstanding links, its trusted browsers and its app access
 * end; this session keeps its proofs under a new id.
 */
export async function changePassword(
  deps: Deps,
  org: Organization,
  client: RequestContext,
  target: SessionTarget,
  input: { currentPassword: string; password: string; passwordConfirm: string; code: string; passkey?: string; locale: Locale },
): Promise<ChangePasswordOutcome> {
  const { account } = target;
  const rules = async () => {
    const rejection = await rejectNewPassword(org, account, input, input.locale);
    return rejection ? { ok: false as const, error: 'password_rejected' as const, rejection } : null;
  };
  const proved = await stepUp(deps, org, client, target, 'change_password', { password: input.currentPassword, code: input.code, passkey: input.passkey }, rules);
  if (!proved.ok) return proved;
  const passwordHash = await hashPassword(input.password);
  await deps.db.transaction(async (tx) => {
    const at = deps.clock.now();
    await setAccountPassword(tx, org.tenantId, account.id, passwordHash, at);
    const endedSessions = await deleteAccountSessions(tx, org.tenantId, account.id, proved.session.id);
    // SECURITY 42: as a reset does, a change ends what the old password could have started:
    // reset links asked before it, QR codes on a screen, app devices and app logins under way.
    await voidAccountTokens(tx, org.tenantId, account.id, at);
    // A browser trusted to skip the code may be the one the change is meant to shut out: as a
    // reset does, the change forgets them all (this one included; its next login asks a code).
    await removeAllTrustedBrowsers(tx, org.tenantId, account.id);
    const removedDevices = await endAppAccess(tx, org.tenantId, account.id, 'password_changed', at);
    await endOpenIdAccess(tx, deps, org, account.id);
    await recordAudit(tx, at, client, { tenantId: org.tenantId, event: 'password_changed', outcome: 'success', actorAccountId: account.id, subjectAccountId: account.id, details: { via: 'account', endedSessions, removedDevices } });
    await queueEmail(tx, deps, org, account, { kind: 'password_changed', name: account.name, helpLink: publicUrl(deps.config, org, '/help') });
  });
  // The new password postdates the step-up's proof: the session proves it (and the code) anew, under a new id.
  const hasFactor = hasSecondStep(await findSecondStep(deps.db, org, account));
  const rotated = await rotateSession(deps.db, deps, proved.session, { kind: 'step_up', password: true, code: hasFactor, passkey: false });
  if (rotated) target.renewed(rotated);
  return { ok: true };
}
