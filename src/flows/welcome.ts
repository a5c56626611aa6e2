import type { Account } from '../accounts/accounts.js';
import { recordAudit, type RequestContext } from '../audit/audit.js';
import { hitRateLimit } from '../core/rate-limit.js';
import type { Deps } from '../deps.js';
import type { Queryable } from '../db/db.js';
import type { Organization } from '../tenants/organizations.js';
import { issueAccountToken, lookUpAccountToken } from './account-tokens.js';
import { queueEmail } from './outgoing-mail.js';
import { publicUrl } from './public-url.js';
import { setPasswordThroughLink, type LinkPasswordOutcome } from './set-password.js';

/**
 * Mails a (new) welcome link, voiding older ones (SPEC 4.1). Runs in the caller's transaction.
 * Returns the link, which only the operator's demo start prints; nothing else shows it.
 */
export async function sendWelcome(
  db: Queryable,
  deps: Deps,
  org: Organization,
  account: Account,
  by: { actorAccountId: string | null; client: RequestContext; kind: 'welcome' | 'registration'; reason?: string },
): Promise<string> {
  const token = await issueAccountToken(db, deps, account, 'welcome', org.policy.welcomeLinkHours * 3600);
  const link = publicUrl(deps.config, org, `/welcome/${token}`);
  await queueEmail(db, deps, org, account, { kind: by.kind, name: account.name, link, validHours: org.policy.welcomeLinkHours });
  await recordAudit(db, deps.clock.now(), by.client, {
    tenantId: org.tenantId,
    event: 'welcome_email_sent',
    outcome: 'success',
    actorAccountId: by.actorAccountId,
    subjectAccountId: account.id,
    details: by.reason === undefined ? { kind: by.kind } : { kind: by.kind, reason: by.reason },
  });
  return link;
}

/** Sets the first password through a welcome link; the caller logs the user in. */
export function completeWelcome(
  deps: Deps,
  org: Organization,
  client: RequestContext,
  input: { token: string; password: string; passwordConfirm: string },
): Promise<LinkPasswordOutcome> {
  return setPasswordThroughLink(deps, org, { purpose: 'welcome', accountState: 'invited', token: input.token }, input, (tx, account, now) =>
    recordAudit(tx, now, client, { tenantId: org.tenantId, event: 'account_activated', outcome: 'success', actorAccountId: account.id, subjectAccountId: account.id }),
  );
}

/**
 * "Send me a new link" from an expired or used welcome link. Mails a fresh link only when the
 * link's secret is right and the account still has no password; the answer is the same either way.
 */
export async function renewWelcome(deps: Deps, org: Organization, client: RequestContext, token: string): Promise<void> {
  const lookup = await lookUpAccountToken(deps.db, org.tenantId, 'welcome', token, deps.clock.now());
  if (lookup.usable === false && !lookup.known) return;
  const account = lookup.account;
  if (account.state !== 'invited') return;
  const limit = await hitRateLimit(deps.db, org.tenantId, `welcome_renewal:${account.id}`, { limit: 3, windowSeconds: 3600 }, deps.clock.now());
  if (!limit.allowed) return;
  await deps.db.transaction(async (tx) => {
    await recordAudit(tx, deps.clock.now(), client, { tenantId: org.tenantId, event: 'welcome_link_renewal_requested', outcome: 'success', subjectAccountId: account.id });
    await sendWelcome(tx, deps, org, account, { actorAccountId: null, client, kind: 'welcome' });
  });
}
