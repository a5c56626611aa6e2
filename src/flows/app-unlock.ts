import type { Account } from '../accounts/accounts.js';
import { recordAudit, type RequestContext } from '../audit/audit.js';
import { guessStandingCredential, type GuessScope } from '../core/guess-budget.js';
import type { Failure, Ok } from '../core/outcome.js';
import type { Deps } from '../deps.js';
import { accessTokenSeconds, findAccessToken, issueAccessToken, revokeAccessToken } from '../devices/access-tokens.js';
import { findDevice, removeDevice, type AppDevice } from '../devices/devices.js';
import { checkDevicePin, checkPinShape, setFirstPin } from '../factors/pin/pin.js';
import type { Organization } from '../tenants/organizations.js';

/**
 * After linking, the app unlocks its device with a PIN (SPEC 5): the PIN is only ever checked
 * together with the device's secret, and unlocks that one device, never an account.
 */
export interface DeviceCredentials {
  deviceId: string;
  deviceSecret: string;
}

type Throttled = Failure<'rate_limited', { retryAfterSeconds: number }>;

const scopeOf = (deps: Deps, org: Organization, client: RequestContext): GuessScope => ({ db: deps.db, tenantId: org.tenantId, ip: client.ip, now: deps.clock.now() });

/**
 * The device that the credentials name. A wrong id or secret counts as a guess (SECURITY 9); a
 * removed device answers `device_revoked` where SPEC 5 says so (`onRemoved`), `invalid_device` elsewhere.
 */
async function deviceOf(
  deps: Deps,
  org: Organization,
  client: RequestContext,
  credentials: DeviceCredentials,
  onRemoved: 'invalid_device' | 'device_revoked',
): Promise<Ok<{ device: AppDevice; pinHash: string | null }> | Failure<'invalid_device' | 'device_revoked'> | Throttled> {
  let removed = false;
  const found = await guessStandingCredential(scopeOf(deps, org, client), async () => {
    const lookup = await findDevice(deps.db, org.tenantId, credentials.deviceId, credentials.deviceSecret);
    if (lookup.ok) return lookup;
    // A removed device is a right secret: no guess, but no device either.
    removed = lookup.error === 'removed' && onRemoved === 'device_revoked';
    return removed ? { removed: true as const } : null;
  });
  if (!found.ok) return found.error === 'rate_limited' ? found : { ok: false, error: 'invalid_device' };
  if ('removed' in found.value) return { ok: false, error: 'device_revoked' };
  return found.value;
}

/** POST /pin: the first PIN of a linked device. */
export async function setDevicePin(
  deps: Deps,
  org: Organization,
  client: RequestContext,
  input: DeviceCredentials & { pin: string },
): Promise<Ok | Failure<'invalid_pin_format' | 'weak_pin' | 'pin_already_set' | 'invalid_device' | 'device_revoked'> | Throttled> {
  const shape = checkPinShape(input.pin);
  if (shape) return { ok: false, error: shape };
  const found = await deviceOf(deps, org, client, input, 'invalid_device');
  if (!found.ok) return found;
  if (found.pinHash !== null || !(await setFirstPin(deps.db, found.device, input.pin))) return { ok: false, error: 'pin_already_set' };
  const accountId = found.device.accountId;
  await recordAudit(deps.db, deps.clock.now(), client, { tenantId: org.tenantId, event: 'pin_set', outcome: 'success', actorAccountId: accountId, subjectAccountId: accountId, details: { deviceId: found.device.id } });
  return { ok: true };
}

/** POST /login/pin: a right PIN gives an access token of 15 minutes; the fifth wrong one in a row removes the device. */
export async function unlockWithPin(
  deps: Deps,
  org: Organization,
  client: RequestContext,
  input: DeviceCredentials & { pin: string },
): Promise<Ok<{ accessToken: string; expiresInSeconds: number }> | Failure<'invalid_pin', { attemptsLeft: number }> | Failure<'device_revoked' | 'invalid_device' | 'pin_not_set'> | Throttled> {
  const found = await deviceOf(deps, org, client, input, 'device_revoked');
  if (!found.ok) return found;
  // Until a PIN is set the device can do nothing but set it (SPEC 5).
  if (found.pinHash === null) return { ok: false, error: 'pin_not_set' };
  const { device } = found;
  const check = await checkDevicePin(deps, device, found.pinHash, input.pin);
  const audit = { tenantId: org.tenantId, actorAccountId: device.accountId, subjectAccountId: device.accountId };
  if (!check.ok) {
    if (check.error === 'device_revoked' && !check.removedNow) return { ok: false, error: 'device_revoked' };
    // Every wrong PIN is a `pin_failed` (SPEC 7); the fifth also removes the device.
    const attemptsLeft = check.error === 'device_revoked' ? 0 : check.attemptsLeft;
    await recordAudit(deps.db, deps.clock.now(), client, { ...audit, event: 'pin_failed', outcome: 'failure', details: { deviceId: device.id, attemptsLeft } });
    if (check.error === 'invalid_pin') return check;
    await recordAudit(deps.db, deps.clock.now(), client, { ...audit, event: 'app_device_removed', outcome: 'failure', details: { deviceId: device.id, reason: 'pin_failures' } });
    return { ok: false, error: 'device_revoked' };
  }
  const accessToken = await issueAccessToken(deps.db, deps, device);
  await recordAudit(deps.db, deps.clock.now(), client, { ...audit, event: 'app_login_succeeded', outcome: 'success', details: { deviceId: device.id } });
  return { ok: true, accessToken, expiresInSeconds: accessTokenSeconds };
}

/** POST /pin/reset: the PIN is forgotten; the device is removed and the app logs in again. */
export async function forgetDevicePin(deps: Deps, org: Organization, client: RequestContext, input: DeviceCredentials): Promise<Ok | Failure<'invalid_device' | 'device_revoked'> | Throttled> {
  const found = await deviceOf(deps, org, client, input, 'invalid_device');
  if (!found.ok) return found;
  const accountId = found.device.accountId;
  await removeDevice(deps.db, org.tenantId, found.device.id, 'pin_reset', deps.clock.now());
  await recordAudit(deps.db, deps.clock.now(), client, { tenantId: org.tenantId, event: 'app_device_removed', outcome: 'success', actorAccountId: accountId, subjectAccountId: accountId, details: { deviceId: found.device.id, reason: 'pin_reset' } });
  return { ok: true };
}

/** The account behind an access token; an unknown token counts as a guess (SECURITY 9). */
export async function accountOfAccessToken(deps: Deps, org: Organization, client: RequestContext, bearer: string): Promise<Ok<{ tokenId: string; account: Account }> | Failure<'invalid_token'> | Throttled> {
  const found = await guessStandingCredential(scopeOf(deps, org, client), () => findAccessToken(deps.db, org.tenantId, bearer, deps.clock.now()));
  if (!found.ok) return found.error === 'rate_limited' ? found : { ok: false, error: 'invalid_token' };
  return { ok: true, ...found.value };
}

/** POST /logout of the app: ends the access token at once. */
export async function endAccessToken(deps: Deps, org: Organization, client: RequestContext, bearer: string): Promise<Ok | Failure<'invalid_token'> | Throttled> {
  const found = await accountOfAccessToken(deps, org, client, bearer);
  if (!found.ok) return found;
  await revokeAccessToken(deps.db, org.tenantId, found.tokenId, deps.clock.now());
  await recordAudit(deps.db, deps.clock.now(), client, { tenantId: org.tenantId, event: 'app_logged_out', outcome: 'success', actorAccountId: found.account.id, subjectAccountId: found.account.id });
  return { ok: true };
}
