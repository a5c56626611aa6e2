import { findAccountById, type Account } from '../accounts/accounts.js';
import { recordAudit, type RequestContext } from '../audit/audit.js';
import { guessOneUseCredential } from '../core/guess-budget.js';
import type { Failure, Ok } from '../core/outcome.js';
import type { Deps } from '../deps.js';
import { createDevice, listDevices, removeDevice, type AppDevice } from '../devices/devices.js';
import { consumeQrToken, issueQrToken } from '../devices/qr-tokens.js';
import { listTrustedBrowsers, type TrustedBrowser } from '../factors/trusted-browser/store.js';
import { queueEmail } from '../messaging/outbox.js';
import type { Organization } from '../tenants/organizations.js';
import { publicUrl } from '../tenants/public-url.js';
import type { SessionTarget } from './session-target.js';
import { stepUp, type StepUpFailure, type StepUpProofs } from './step-up.js';

/** What the app receives once it is linked (SPEC 5): its credentials, shown once, and who it belongs to. */
export interface DeviceLogin {
  deviceId: string;
  deviceSecret: string;
  pinRequired: true;
  account: { id: string; name: string; email: string; role: string };
  /** Only after a recovery code: how many unused ones are left (SPEC 4.5). */
  recoveryCodesLeft?: number;
}

/**
 * Links a new app device to the account: in one transaction the device, its audit row and the
 * "device added" mail (SPEC 4.7). The end of every app login, by QR code or by password.
 */
export async function addAppDevice(deps: Deps, org: Organization, account: Account, deviceName: string, client: RequestContext, via: 'qr' | 'password'): Promise<DeviceLogin> {
  return deps.db.transaction(async (tx) => {
    const device = await createDevice(tx, deps, account, deviceName);
    await recordAudit(tx, deps.clock.now(), client, {
      tenantId: org.tenantId,
      event: 'app_device_added',
      outcome: 'success',
      actorAccountId: account.id,
      subjectAccountId: account.id,
      details: { via, deviceId: device.deviceId, deviceName: deviceName.slice(0, 100) },
    });
    await queueEmail(tx, deps, org, account, {
      kind: 'app_device_added',
      name: account.name,
      deviceName: deviceName.slice(0, 100) || 'App',
      devicesLink: publicUrl(deps.config, org, '/account/devices'),
      helpLink: publicUrl(deps.config, org, '/help'),
    });
    return { ...device, pinRequired: true as const, account: { id: account.id, name: account.name, email: account.email, role: account.role } };
  });
}

/**
 * Issues the token behind the QR code on /account/app (SPEC 4.7): only after a password or code
 * check at most 10 minutes old, so the step-up `show_app_qr` asks them first where the session's
 * proof is older. Returns the URL the QR code encodes.
 */
export async function showAppQrCode(
  deps: Deps,
  org: Organization,
  client: RequestContext,
  target: SessionTarget,
  proofs: StepUpProofs,
): Promise<Ok<{ url: string; expiresAt: Date }> | StepUpFailure> {
  const proved = await stepUp(deps, org, client, target, 'show_app_qr', proofs);
  if (!proved.ok) return proved;
  const { account } = target;
  const now = deps.clock.now();
  const issued = await deps.db.transaction(async (tx) => {
    const qr = await issueQrToken(tx, deps, { tenantId: org.tenantId, accountId: account.id, sessionLoginId: proved.session.loginId });
    await recordAudit(tx, now, client, { tenantId: org.tenantId, event: 'app_qr_shown', outcome: 'success', actorAccountId: account.id, subjectAccountId: account.id });
    return qr;
  });
  return { ok: true, url: publicUrl(deps.config, org, `/app/login#${issued.token}`), expiresAt: issued.expiresAt };
}

/**
 * POST /login/qr: unknown, used, expired and other-org tokens all answer the same (SPEC 5); each
 * try counts against the network's guess budget, a right one takes its count back (SECURITY 9).
 */
export async function linkAppWithQrCode(
  deps: Deps,
  org: Organization,
  client: RequestContext,
  input: { token: string; deviceName: string },
): Promise<Ok<{ login: DeviceLogin }> | Failure<'invalid_token'> | Failure<'rate_limited', { retryAfterSeconds: number }>> {
  const now = deps.clock.now();
  const used = await guessOneUseCredential({ db: deps.db, tenantId: org.tenantId, ip: client.ip, now }, async () => {
    const qr = await consumeQrToken(deps.db, org.tenantId, input.token, now);
    const account = qr ? await findAccountById(deps.db, org.tenantId, qr.accountId) : null;
    return account?.state === 'active' ? account : null;
  });
  if (!used.ok) return used.error === 'rate_limited' ? used : { ok: false, error: 'invalid_token' };
  const account = used.value;
  await recordAudit(deps.db, now, client, { tenantId: org.tenantId, event: 'app_qr_used', outcome: 'success', actorAccountId: account.id, subjectAccountId: account.id });
  return { ok: true, login: await addAppDevice(deps, org, account, input.deviceName, client, 'qr') };
}

/** /account/devices (SPEC 4.7): the app devices and the trusted browsers of the account. */
export async function listAccountDevices(deps: Deps, org: Organization, account: Account): Promise<{ devices: AppDevice[]; browsers: TrustedBrowser[] }> {
  const devices = await listDevices(deps.db, org.tenantId, account.id);
  const browsers = await listTrustedBrowsers(deps.db, org.tenantId, account.id, deps.clock.now());
  return { devices, browsers };
}

/** The user removes one of their own devices; its access tokens end at once (SPEC 5). Another's id changes nothing. */
export async function removeOwnDevice(deps: Deps, org: Organization, account: Account, client: RequestContext, deviceId: string): Promise<void> {
  const devices = await listDevices(deps.db, org.tenantId, account.id);
  const device = devices.find((d) => d.id === deviceId);
  if (!device || !(await removeDevice(deps.db, org.tenantId, device.id, 'removed_by_user', deps.clock.now()))) return;
  await recordAudit(deps.db, deps.clock.now(), client, { tenantId: org.tenantId, event: 'app_device_removed', outcome: 'success', actorAccountId: account.id, subjectAccountId: account.id, details: { deviceId: device.id, reason: 'removed_by_user' } });
}
