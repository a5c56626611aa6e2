import { recordAudit } from '../audit/audit.js';
import type { Queryable } from '../db/db.js';
import type { Deps } from '../deps.js';
import { enqueueJob, maxJobAttempts, type Job } from '../jobs/queue.js';
import { findOidcClient } from '../oidc/clients.js';
import { loginLinksOf, removeLoginLinks, tenantsWithLoginLinks } from '../oidc/login-links.js';
import { endProviderSessions, revokeAccountOidcTokens } from '../oidc/payload-store.js';
import { sessionsOfLogins, type WebSession } from '../sessions/web-sessions.js';
import type { Organization } from '../tenants/organizations.js';
import type { Policy } from '../tenants/policy.js';
import { sendLogoutToken } from './openid.js';

/**
 * Back-channel logout (SPEC 10): when an Ingang browser login ends, every application that got an
 * authorization in it and has a `backchannel_logout_uri` is told, through the durable job queue
 * (so an application that is down is told when it is back), and the provider session made in it
 * ends too.
 */
export const backchannelLogoutJobKind = 'oidc_backchannel_logout';

/** A login has ended when its session is gone (logout, a reset, a deactivation…) or its idle or absolute limit has passed. */
function loginLive(session: WebSession, policy: Policy, now: Date): boolean {
  if (session.authenticatedAt && now.getTime() - session.authenticatedAt.getTime() >= policy.absoluteHours * 3600_000) return false;
  return now.getTime() - session.lastSeenAt.getTime() < policy.idleMinutes * 60_000;
}

/**
 * Finds the ended logins of one account (or of the whole organization) that reached an
 * application, and queues a logout token for each application with a back-channel URI. Runs in
 * the caller's transaction, right after the sessions ended. Returns the applications told.
 */
export async function endOpenIdLogins(db: Queryable, deps: Pick<Deps, 'clock' | 'random'>, org: Organization, accountId: string | null, options: { everyLogin?: boolean } = {}): Promise<number> {
  const links = await loginLinksOf(db, org.tenantId, accountId);
  if (links.length === 0) return 0;
  const now = deps.clock.now();
  const sessions = options.everyLogin ? [] : await sessionsOfLogins(db, org.tenantId, [...new Set(links.map((link) => link.loginId))]);
  const live = new Set(sessions.filter((session) => loginLive(session, org.policy, now)).map((session) => `${session.loginId}:${session.accountId}`));
  const ended = [...new Set(links.filter((link) => !live.has(`${link.loginId}:${link.accountId}`)).map((link) => link.loginId))];
  const removed = await removeLoginLinks(db, org.tenantId, ended);
  let told = 0;
  for (const link of removed) {
    const client = await findOidcClient(db, org.tenantId, link.clientId);
    if (!client?.backchannelLogoutUri) continue;
    await enqueueJob(db, deps, org.tenantId, backchannelLogoutJobKind, { clientId: link.clientId, accountId: link.accountId, sid: link.sid });
    told += 1;
  }
  await endProviderSessions(db, org.tenantId, [...new Set(removed.map((link) => link.providerSessionUid))]);
  return told;
}

/**
 * A password change or reset, a deactivation or a staff 2FA reset: nothing the provider gave the
 * account out still works (its grants, tokens and provider sessions go; SECURITY 42 does the same
 * for app devices), so every application any login of the account reached is told — also those
 * of the browser that made a password change, which stays logged in at Ingang.
 */
export async function endOpenIdAccess(tx: Queryable, deps: Pick<Deps, 'clock' | 'random'>, org: Organization, accountId: string): Promise<void> {
  await endOpenIdLogins(tx, deps, org, accountId, { everyLogin: true });
  await revokeAccountOidcTokens(tx, org.tenantId, accountId);
}

/** Maintenance: logins ended by their idle or absolute limit, in every organization. Returns the applications told. */
export async function endTimedOutOpenIdLogins(deps: Deps, findOrg: (tenantId: string) => Promise<Organization | null>, onlyTenantIds: readonly string[] | null = null): Promise<number> {
  let told = 0;
  for (const tenantId of await tenantsWithLoginLinks(deps.db)) {
    if (onlyTenantIds && !onlyTenantIds.includes(tenantId)) continue;
    const org = await findOrg(tenantId);
    if (org) told += await deps.db.transaction((tx) => endOpenIdLogins(tx, deps, org, null));
  }
  return told;
}

/**
 * The job: one logout token to one application. A failure is audited and retried with the queue's
 * growing pause; an application removed meanwhile is told nothing.
 */
export function backchannelLogoutJobHandler(deps: Deps, findOrg: (tenantId: string) => Promise<Organization | null>) {
  return async (job: Job): Promise<Record<string, unknown>> => {
    const { clientId, accountId, sid } = job.payload as { clientId: string; accountId: string; sid: string };
    const org = await findOrg(job.tenantId);
    const client = org ? await findOidcClient(deps.db, org.tenantId, clientId) : null;
    if (!org || !client?.backchannelLogoutUri) return { clientId, outcome: 'client_gone' };
    const audit = { tenantId: org.tenantId, actorAccountId: null, subjectAccountId: accountId };
    const system = { ip: null, userAgent: null, requestId: null };
    try {
      await sendLogoutToken(deps, org, clientId, accountId, sid);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      await recordAudit(deps.db, deps.clock.now(), system, {
        ...audit,
        event: 'oidc_backchannel_logout_failed',
        outcome: 'failure',
        details: { clientId, attempt: job.attempts, willRetry: job.attempts < maxJobAttempts, error: message.slice(0, 200) },
      });
      throw error;
    }
    await recordAudit(deps.db, deps.clock.now(), system, { ...audit, event: 'oidc_backchannel_logout_sent', outcome: 'success', details: { clientId, attempt: job.attempts } });
    return { clientId, outcome: 'sent' };
  };
}
