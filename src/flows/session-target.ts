import type { Account } from '../accounts/accounts.js';
import type { WebSession } from '../sessions/web-sessions.js';

/** A browser session under a new id, and the cookie value that names it (shown once). */
export interface RenewedSession {
  session: WebSession;
  cookieValue: string;
}

/**
 * The logged-in browser session a journey acts for. When the journey gives the session a new id
 * (SECURITY 15: after every step-up) it hands it to `renewed` at once, so the surface sets the new
 * cookie whatever happens next — a later failure (an SMS that cannot be sent) included.
 */
export interface SessionTarget {
  account: Account;
  session: WebSession;
  renewed(next: RenewedSession): void;
}
