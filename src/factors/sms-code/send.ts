import type { Account } from '../../accounts/accounts.js';
import { recordAudit, type RequestContext } from '../../audit/audit.js';
import type { Failure, Ok } from '../../core/outcome.js';
import type { Deps } from '../../deps.js';
import { recordDeliveredMessage } from '../../jobs/queue.js';
import { renderSmsCode } from '../../messaging/sms-texts.js';
import type { Locale, Organization } from '../../tenants/organizations.js';
import { acceptSmsNumber, phoneDigest } from './phone.js';
import { reserveSmsSend } from './send-limits.js';
import { issueSmsCode, settleSentSmsCode, withdrawUnsentSmsCode, type SmsPurpose } from './store.js';

/** The job kind under which the dev outbox lists SMS messages (development only). */
export const devSmsKind = 'sms_dev';

export type SendSmsOutcome =
  | Ok
  | Failure<'too_soon' | 'too_many' | 'limited_destination' | 'limited_network' | 'limited_organization', { retryAfterSeconds: number }>
  | Failure<'send_failed' | 'no_sms' | 'number_not_allowed'>;

/**
 * Sends a code by SMS within the limits (SPEC 4.5), bound to one login attempt (`attemptId`: a
 * session or an app challenge) and purpose. Synchronous: a code is only useful now, so a provider
 * that is down is reported to the user at once and nothing is counted (SECURITY 33). The provider
 * is called outside any transaction, so a slow one holds no lock or connection. Beyond the
 * account's limits come the org's (SECURITY 36): the number must still be one the policy allows
 * (a stored one may no longer be), and the send must fit the limits per destination, network and
 * day (send-limits.ts).
 */
export async function sendSmsCode(
  deps: Deps,
  org: Organization,
  account: Account,
  input: { attemptId: string; purpose: SmsPurpose; phone: string; locale: Locale },
  client: RequestContext,
): Promise<SendSmsOutcome> {
  const sms = deps.sms;
  if (!sms) return { ok: false, error: 'no_sms' };
  const scope = { tenantId: org.tenantId, accountId: account.id, sessionId: input.attemptId, purpose: input.purpose };
  if (!acceptSmsNumber(input.phone, org.policy.smsCountries).ok) return { ok: false, error: 'number_not_allowed' };
  const digest = phoneDigest(deps.config.secretKey, { tenantId: org.tenantId, accountId: account.id }, input.phone);
  const issued = await deps.db.transaction(async (tx) => {
    const reserved = await reserveSmsSend(tx, deps, org, client, input.phone);
    if (!reserved.ok) return { ok: false as const, error: `limited_${reserved.limit}` as const, retryAfterSeconds: reserved.retryAfterSeconds };
    const code = await issueSmsCode(tx, deps, { ...scope, phoneDigest: digest });
    if (!code.ok) await reserved.release(tx);
    return code.ok ? { ...code, release: reserved.release } : code;
  });
  if (!issued.ok) return issued;
  const message = renderSmsCode(input.locale, org.name, issued.code, input.purpose);
  try {
    await sms.send({ to: input.phone, message });
  } catch (error) {
    await withdrawUnsentSmsCode(deps.db, org.tenantId, issued.codeId);
    await issued.release(deps.db);
    deps.log.warn({ err: error instanceof Error ? error.message : String(error) }, 'SMS could not be sent');
    return { ok: false, error: 'send_failed' };
  }
  const now = deps.clock.now();
  await settleSentSmsCode(deps.db, { ...scope, codeId: issued.codeId }, now);
  await recordAudit(deps.db, now, client, { tenantId: org.tenantId, event: 'sms_code_sent', outcome: 'success', actorAccountId: account.id, subjectAccountId: account.id, details: { purpose: input.purpose } });
  // Development only: list it in the dev outbox. In production the code is never stored readable.
  if (deps.config.sms.provider === 'dev') await recordDeliveredMessage(deps.db, deps, org.tenantId, devSmsKind, { to: input.phone, subject: 'SMS', text: message });
  return { ok: true };
}
