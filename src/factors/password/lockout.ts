import type { Account } from '../../accounts/accounts.js';

/**
 * Per-account throttling of password guesses (NIST SP 800-63B 3.2.2, SECURITY 3): from the fifth
 * failure in a row a delay of 30 s that doubles with each further failure, up to 15 minutes.
 */
export const failuresBeforeDelay = 5;
const firstDelaySeconds = 30;
const maxDelaySeconds = 15 * 60;

export function loginDelaySeconds(failedCount: number): number {
  if (failedCount < failuresBeforeDelay) return 0;
  return Math.min(maxDelaySeconds, firstDelaySeconds * 2 ** (failedCount - failuresBeforeDelay));
}

export function lockedUntil(account: Pick<Account, 'failedLoginCount' | 'lastFailedLoginAt'>): Date | null {
  const delay = loginDelaySeconds(account.failedLoginCount);
  if (delay === 0 || !account.lastFailedLoginAt) return null;
  return new Date(account.lastFailedLoginAt.getTime() + delay * 1000);
}

export function isLocked(account: Pick<Account, 'failedLoginCount' | 'lastFailedLoginAt'>, now: Date): boolean {
  const until = lockedUntil(account);
  return until !== null && until.getTime() > now.getTime();
}
