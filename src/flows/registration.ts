import { findLookAlikeAccount, insertInvitedAccount } from '../accounts/accounts.js';
import { recordAudit, type RequestContext } from '../audit/audit.js';
import { isPlausibleEmail, normalizeEmail } from '../accounts/email.js';
import { validName } from '../accounts/name.js';
import type { Failure, Ok } from '../core/outcome.js';
import type { Deps } from '../deps.js';
import { enqueueJob, type Job } from '../jobs/queue.js';
import type { Locale, Organization } from '../tenants/organizations.js';
import { queueEmail } from '../messaging/outbox.js';
import { publicUrl } from '../tenants/public-url.js';
import { admitAnonymousRequest } from './anonymous-requests.js';
import { sendWelcome } from './welcome.js';

export const registrationJobKind = 'registration_request';

/**
 * Self-registration (SPEC 4.2). Like "forgot password", the request only queues the work: the
 * answer is "check your e-mail" in the same time for new and known addresses (SECURITY 2).
 */
export async function requestRegistration(
  deps: Deps,
  org: Organization,
  client: RequestContext,
  input: { email: string; name: string; locale: Locale },
): Promise<Ok | Failure<'closed'> | Failure<'invalid', { problems: Partial<Record<'email' | 'name', 'invalid_email' | 'invalid_name'>> }> | Failure<'rate_limited', { retryAfterSeconds: number }>> {
  if (!org.policy.selfRegistration) return { ok: false, error: 'closed' };
  const email = input.email.trim();
  const name = input.name.trim();
  const problems: Partial<Record<'email' | 'name', 'invalid_email' | 'invalid_name'>> = {};
  if (validName(name) === null) problems.name = 'invalid_name';
  if (!isPlausibleEmail(email)) problems.email = 'invalid_email';
  if (Object.keys(problems).length > 0) return { ok: false, error: 'invalid', problems };
  // SECURITY 37: counted per network and per address before any row is written. Past the
  // network's budget the form says to try later instead of "check your e-mail": that tells
  // nothing about any address; past an address's, the answer is the usual one.
  const admitted = await admitAnonymousRequest(deps, org, client, 'registration', email);
  if (!admitted.ok) return admitted.error === 'network_throttled' ? { ok: false, error: 'rate_limited', retryAfterSeconds: admitted.retryAfterSeconds } : { ok: true };
  await deps.db.transaction(async (tx) => {
    await enqueueJob(tx, deps, org.tenantId, registrationJobKind, { email, name, locale: input.locale, ip: client.ip, requestId: client.requestId });
    await recordAudit(tx, deps.clock.now(), client, { tenantId: org.tenantId, event: 'registration_requested', outcome: 'success' });
  });
  return { ok: true };
}

export function registrationJobHandler(deps: Deps, findOrg: (tenantId: string) => Promise<Organization | null>) {
  return async (job: Job): Promise<Record<string, unknown>> => {
    const payload = job.payload as { email: string; name: string; locale: Locale; ip: string | null; requestId: string | null };
    const org = await findOrg(job.tenantId);
    if (!org || !org.policy.selfRegistration) return { outcome: 'closed' };
    // At most 3 an hour per address were admitted (anonymous-requests.ts), so the form cannot flood a mailbox.
    const client = { ip: payload.ip, userAgent: null, requestId: payload.requestId };
    const existing = await findLookAlikeAccount(deps.db, org.tenantId, payload.email);
    // An address that only looks like an account's (SECURITY 39) is another mailbox: it gets no
    // account, and its owner's mailbox no mail it did not ask for.
    if (existing && normalizeEmail(existing.email) !== normalizeEmail(payload.email)) return { outcome: 'look_alike' };
    if (existing) {
      await queueEmail(deps.db, deps, org, existing, {
        kind: 'already_registered',
        loginLink: publicUrl(deps.config, org, '/login'),
        resetLink: publicUrl(deps.config, org, '/password/forgot'),
      });
      return { outcome: 'already_registered' };
    }
    await deps.db.transaction(async (tx) => {
      const account = await insertInvitedAccount(tx, deps, { tenantId: org.tenantId, email: payload.email, name: payload.name, role: 'client', locale: payload.locale, createdBy: null, selfRegistered: true });
      if (!account) return;
      await recordAudit(tx, deps.clock.now(), client, { tenantId: org.tenantId, event: 'account_created', outcome: 'success', subjectAccountId: account.id, details: { role: 'client', via: 'self_registration' } });
      await sendWelcome(tx, deps, org, account, { actorAccountId: null, client });
    });
    return { outcome: 'registered' };
  };
}
