import type { Queryable } from '../db/db.js';
import { removeAccountDevices } from '../devices/devices.js';
import { voidAccountQrTokens } from '../devices/qr-tokens.js';
import { deleteRecoveryCodes } from '../factors/recovery-codes/store.js';
import { deleteFactors } from '../factors/second-factor/store.js';
import { removeAllTrustedBrowsers } from '../factors/trusted-browser/store.js';
import { endAccountAppChallenges } from '../sessions/app-login-challenges.js';

/**
 * Steps that several journeys share when they end what an account could use to get in (a reset,
 * a deactivation, a staff 2FA reset), each in the caller's transaction.
 */

/**
 * Every app device of the account with its tokens, and every app login still under way: a QR code
 * on screen or a challenge waiting for its code can no longer link one. Returns the devices removed.
 */
export async function endAppAccess(tx: Queryable, tenantId: string, accountId: string, reason: string, now: Date): Promise<number> {
  const removed = await removeAccountDevices(tx, tenantId, accountId, reason, now);
  await voidAccountQrTokens(tx, tenantId, accountId, now);
  await endAccountAppChallenges(tx, tenantId, accountId, now);
  return removed;
}

/** Every second factor, recovery code and trusted browser of the account (turning 2FA off, a staff reset). */
export async function removeSecondFactors(tx: Queryable, tenantId: string, accountId: string): Promise<void> {
  await deleteFactors(tx, tenantId, accountId);
  await deleteRecoveryCodes(tx, tenantId, accountId);
  await removeAllTrustedBrowsers(tx, tenantId, accountId);
}
