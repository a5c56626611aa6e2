import { updateProfile, type Account } from '../accounts/accounts.js';
import { validName } from '../accounts/name.js';
import { listAuditEvents, recordAudit, type AuditRecord, type RequestContext } from '../audit/audit.js';
import type { Failure, Ok } from '../core/outcome.js';
import type { Deps } from '../deps.js';
import { isLocale } from '../core/locale.js';
import type { Organization } from '../tenants/organizations.js';
import { listDevices } from '../devices/devices.js';
import { browserName } from '../factors/trusted-browser/store.js';

export type ProfileProblem = 'invalid_name' | 'invalid_locale';

/** `/account`: the user's own name and language (SPEC 4.7); each problem names its field. */
export async function updateOwnProfile(
  deps: Deps,
  org: Organization,
  client: RequestContext,
  account: Account,
  input: { name: string; locale: string },
): Promise<Ok | Failure<'invalid_profile', { problems: Partial<Record<'name' | 'locale', ProfileProblem>> }>> {
  const name = input.name.trim();
  const problems: Partial<Record<'name' | 'locale', ProfileProblem>> = {};
  if (validName(name) === null) problems.name = 'invalid_name';
  if (!isLocale(input.locale)) problems.locale = 'invalid_locale';
  if (Object.keys(problems).length > 0 || !isLocale(input.locale)) return { ok: false, error: 'invalid_profile', problems };
  const locale = input.locale;
  await deps.db.transaction(async (tx) => {
    await updateProfile(tx, org.tenantId, account.id, { name, locale });
    await recordAudit(tx, deps.clock.now(), client, { tenantId: org.tenantId, event: 'profile_updated', outcome: 'success', actorAccountId: account.id, subjectAccountId: account.id, details: { locale } });
  });
  return { ok: true };
}

/** One line of `/account/activity`: what happened, when, on what and from where (where known). */
export interface ActivityEntry {
  at: Date;
  event: string;
  outcome: 'success' | 'failure';
  /** The app's device (by its name) for app events, else the browser read from its User-Agent; null where unknown. */
  device: string | null;
  ip: string | null;
  /** A staff member did it (the page then names no address of theirs). */
  byStaff: boolean;
  /** The password was right but the login never gave its code: someone may have the password. */
  passwordWithoutCode: boolean;
}

/** A login's password step and its second step within this time, from one browser, are one login. */
const oneLoginSeconds = 30 * 60;

/**
 * `/account/activity` (SPEC 4.7, issue 12 stumble 1): the user's own security events, newest
 * first, one line per login (the password step of a login that went on to its code is folded into
 * it), each with the device where known.
 */
export async function describeOwnActivity(deps: Deps, org: Organization, account: Account): Promise<ActivityEntry[]> {
  const records = await listAuditEvents(deps.db, { tenantId: org.tenantId, subjectAccountId: account.id, limit: 100 });
  const deviceNames = new Map((await listDevices(deps.db, org.tenantId, account.id)).map((d) => [d.id, d.name]));
  const entries: ActivityEntry[] = [];
  for (const [i, record] of records.entries()) {
    const later = records[i - 1];
    if (later && isPasswordStepOf(record, later)) continue;
    const deviceId = typeof record.details.deviceId === 'string' ? record.details.deviceId : null;
    const device = deviceId !== null ? (deviceNames.get(deviceId) ?? null) : record.userAgent ? browserName(record.userAgent) : null;
    const passwordWithoutCode = record.event === 'login_succeeded' && record.details.step === 'password' && record.details.next === 'second_factor';
    entries.push({ at: record.occurredAt, event: record.event, outcome: record.outcome, device, ip: record.ip, byStaff: record.actorAccountId !== null && record.actorAccountId !== account.id, passwordWithoutCode });
  }
  return entries;
}

function isPasswordStepOf(record: AuditRecord, later: AuditRecord): boolean {
  return (
    record.event === 'login_succeeded' &&
    record.details.step === 'password' &&
    later.event === 'login_succeeded' &&
    later.details.step === 'second_factor' &&
    later.userAgent === record.userAgent &&
    later.ip === record.ip &&
    later.occurredAt.getTime() - record.occurredAt.getTime() <= oneLoginSeconds * 1000
  );
}
