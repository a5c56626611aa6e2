import { findAccountById } from '../../accounts/accounts.js';
import { recordAudit, type RequestContext } from '../../audit/audit.js';
import type { Deps } from '../../deps.js';
import { browserTrustCounts, findSecondStep, hasSecondStep } from '../../factors/second-step.js';
import { isBrowserTrusted } from '../../factors/trusted-browser/store.js';
import { createSession, deleteSession, findSession, touchSession, type WebSession } from '../../sessions/web-sessions.js';
import type { Organization } from '../../tenants/organizations.js';
import { endOpenIdLogins } from '../openid-logout.js';
import { deriveStanding, type Standing } from './standing.js';

/** The cookies a browser brings: its session, and the trust of SPEC 4.6 where it has one. */
export interface BrowserCookies {
  session: string | undefined;
  trust: string | undefined;
}

export interface ResumedSession {
  session: WebSession | null;
  standing: Standing;
  /** The session the cookie named has ended now (absolute limit, account or password changed): clear the cookie. */
  ended: boolean;
}

/**
 * The browser session a request brings, and what its holder may do: loaded once per request,
 * from stored facts. An expired session is deleted here; activity of a fully logged-in session is
 * recorded (at most once a minute). A page view while idle is no activity.
 */
export async function resumeBrowserSession(deps: Deps, org: Organization, cookies: BrowserCookies): Promise<ResumedSession> {
  const now = deps.clock.now();
  const session = await findSession(deps.db, org.tenantId, cookies.session);
  const account = session?.accountId ? await findAccountById(deps.db, org.tenantId, session.accountId) : null;
  const hasSecondFactor = account ? hasSecondStep(await findSecondStep(deps.db, org, account)) : false;
  const browserTrusted =
    hasSecondFactor && account !== null && session?.passwordVerifiedAt !== null && browserTrustCounts(org.policy, account.role)
      ? await isBrowserTrusted(deps.db, org.tenantId, account.id, cookies.trust, org.policy, now)
      : false;
  const standing = deriveStanding({ attempt: session ? { kind: 'web', session } : null, account, policy: org.policy, now, hasSecondFactor, browserTrusted });
  if (standing.kind === 'expired' && session) {
    await deleteSession(deps.db, org.tenantId, session.id);
    // The applications this login reached are told (SPEC 10).
    if (session.accountId) await endOpenIdLogins(deps.db, deps, org, session.accountId);
    return { session: null, standing: { kind: 'anonymous' }, ended: true };
  }
  if (standing.kind === 'authenticated' && session) await touchSession(deps.db, session, now);
  return { session, standing, ended: false };
}

/** A session for a page that shows a form (the CSRF token is bound to it); made on first need, not on every visit. */
export function startBrowserSession(deps: Deps, org: Organization, client: RequestContext): Promise<{ session: WebSession; cookieValue: string }> {
  return createSession(deps.db, deps, org.tenantId, client);
}

/** POST /logout: the session ends; a logged-in one leaves an audit row. */
export async function logOut(deps: Deps, org: Organization, client: RequestContext, session: WebSession): Promise<void> {
  await deleteSession(deps.db, org.tenantId, session.id);
  if (!session.accountId) return;
  await endOpenIdLogins(deps.db, deps, org, session.accountId);
  await recordAudit(deps.db, deps.clock.now(), client, { tenantId: org.tenantId, event: 'logged_out', outcome: 'success', actorAccountId: session.accountId, subjectAccountId: session.accountId });
}
