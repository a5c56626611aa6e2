import { findAccountByEmail } from '../../accounts/accounts.js';
import { listAuditEvents, type AuditFilter, type AuditRecord } from '../../audit/audit.js';
import { auditEvents } from '../../audit/events.js';
import type { Failure, Ok } from '../../core/outcome.js';
import type { Deps } from '../../deps.js';
import type { Organization } from '../../tenants/organizations.js';

/** Every event name, for the filter's list. */
export const auditEventNames: readonly string[] = auditEvents;

/** The filter form of `/admin/audit` (SPEC 6: by person, event, time), as typed. */
export interface AuditQuery {
  person: string;
  event: string;
  from: string;
  to: string;
}

export type AuditQueryProblem = 'unknown_person' | 'unknown_event' | 'invalid_date';

/** A real calendar day from 1900 to 9999 as YYYY-MM-DD (no 31 February, no year 0). */
function parseDay(value: string): Date | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return null;
  const year = Number(value.slice(0, 4));
  if (year < 1900 || year > 9999) return null;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value ? date : null;
}

/**
 * The audit events that match the filter, newest first; dates are whole UTC days, `to`
 * inclusive. Each field that cannot be used names its problem, and then nothing is listed.
 */
export async function searchAuditLog(
  deps: Deps,
  org: Organization,
  query: AuditQuery,
  limit: number,
): Promise<Ok<{ records: AuditRecord[] }> | Failure<'invalid_filter', { problems: Partial<Record<keyof AuditQuery, AuditQueryProblem>> }>> {
  const problems: Partial<Record<keyof AuditQuery, AuditQueryProblem>> = {};
  const filter: AuditFilter = { tenantId: org.tenantId, limit };
  if (query.person) {
    const account = await findAccountByEmail(deps.db, org.tenantId, query.person);
    if (account) filter.accountId = account.id;
    else problems.person = 'unknown_person';
  }
  if (query.event) {
    if (auditEventNames.includes(query.event)) filter.event = query.event;
    else problems.event = 'unknown_event';
  }
  for (const key of ['from', 'to'] as const) {
    const value = query[key];
    if (!value) continue;
    const date = parseDay(value);
    if (!date) problems[key] = 'invalid_date';
    // `to` includes its whole day; the last day of year 9999 has no end the database can store: no bound.
    else if (key === 'from') filter.from = date;
    else if (value !== '9999-12-31') filter.to = new Date(date.getTime() + 24 * 3600_000);
  }
  if (Object.keys(problems).length > 0) return { ok: false, error: 'invalid_filter', problems };
  return { ok: true, records: await listAuditEvents(deps.db, filter) };
}
