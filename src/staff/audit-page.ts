import { findAccountByEmail } from '../accounts/accounts.js';
import { listAuditEvents, type AuditFilter, type AuditRecord } from '../audit/audit.js';
import { auditEvents } from '../audit/events.js';
import { html } from '../core/html.js';
import { inputField, selectField } from '../web/fields.js';
import type { WebContext } from '../web/context.js';
import { renderPage, type FormErrors } from '../web/layout.js';
import type { PageHandler, PageRequest } from '../web/page.js';
import { csvRow } from './csv.js';

interface AuditQuery {
  person: string;
  event: string;
  from: string;
  to: string;
}

/** A real calendar day from 1900 to 9999 as YYYY-MM-DD (no 31 February, no year 0). */
function parseDay(value: string): Date | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return null;
  const year = Number(value.slice(0, 4));
  if (year < 1900 || year > 9999) return null;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value ? date : null;
}

/** Reads the filter form (SPEC 6: by person, event, time); dates are whole UTC days, `to` inclusive. */
async function readFilter(page: PageRequest): Promise<{ query: AuditQuery; filter: AuditFilter | null; errors: FormErrors }> {
  const { ctx, deps } = page;
  const query: AuditQuery = {
    person: (page.query.person ?? '').trim().slice(0, 254),
    event: page.query.event ?? '',
    from: page.query.from ?? '',
    to: page.query.to ?? '',
  };
  const errors: FormErrors = {};
  const filter: AuditFilter = { tenantId: ctx.org.tenantId, limit: 500 };
  if (query.person) {
    const account = await findAccountByEmail(deps.db, ctx.org.tenantId, query.person);
    if (account) filter.accountId = account.id;
    else errors.person = ctx.t('audit.error.person');
  }
  if (query.event) {
    if ((auditEvents as readonly string[]).includes(query.event)) filter.event = query.event;
    else errors.event = ctx.t('audit.error.event');
  }
  for (const key of ['from', 'to'] as const) {
    const value = query[key];
    if (!value) continue;
    const date = parseDay(value);
    if (!date) errors[key] = ctx.t('audit.error.date');
    // `to` includes its whole day; the last day of year 9999 has no end the database can store: no bound.
    else if (key === 'from') filter.from = date;
    else if (value !== '9999-12-31') filter.to = new Date(date.getTime() + 24 * 3600_000);
  }
  return { query, filter: Object.keys(errors).length > 0 ? null : filter, errors };
}

function describe(record: AuditRecord): string {
  return Object.entries(record.details)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(', ');
}

function auditTable(ctx: WebContext, records: AuditRecord[]) {
  const t = ctx.t;
  if (records.length === 0) return html`<p>${t('audit.none')}</p>`;
  return html`<div class="table-scroll" tabindex="0" role="region" aria-label="${t('audit.title')}"><table>
  <caption>${t('audit.caption', { count: records.length })}</caption>
  <thead><tr><th scope="col">${t('audit.time')}</th><th scope="col">${t('audit.event')}</th><th scope="col">${t('audit.outcome')}</th><th scope="col">${t('audit.actor')}</th><th scope="col">${t('audit.subject')}</th><th scope="col">IP</th><th scope="col">${t('audit.details')}</th></tr></thead>
  <tbody>${records.map(
    (r) => html`<tr><td>${r.occurredAt.toISOString()}</td><td>${r.event}</td><td>${r.outcome}</td><td>${r.actorEmail ?? ''}</td><td>${r.subjectEmail ?? ''}</td><td>${r.ip ?? ''}</td><td>${describe(r)}</td></tr>`,
  )}</tbody>
</table></div>`;
}

export const showAudit: PageHandler = async (page) => {
  const { ctx, deps } = page;
  const t = ctx.t;
  const { query, filter, errors } = await readFilter(page);
  const records = filter ? await listAuditEvents(deps.db, filter) : [];
  const csvLink = `/admin/audit.csv?${new URLSearchParams({ ...query }).toString()}`;
  const body = html`<form method="get" action="/admin/audit" novalidate>
  ${inputField({ name: 'person', label: t('audit.person'), type: 'email', value: query.person, errors })}
  ${selectField({ name: 'event', label: t('audit.event'), value: query.event, errors, options: [{ value: '', label: t('audit.allEvents') }, ...auditEvents.map((e) => ({ value: e, label: e }))] })}
  ${inputField({ name: 'from', label: t('audit.from'), type: 'date', value: query.from, errors })}
  ${inputField({ name: 'to', label: t('audit.to'), type: 'date', value: query.to, errors })}
  <button type="submit">${t('audit.filter')}</button>
</form>
<p><a href="${csvLink}">${t('audit.csv')}</a></p>
${auditTable(ctx, records)}`;
  return { status: filter ? 200 : 400, html: renderPage(ctx, { title: t('audit.title'), body, errors }) };
};

export const exportAuditCsv: PageHandler = async (page) => {
  const { deps, ctx } = page;
  const { filter } = await readFilter(page);
  if (!filter) return showAudit(page);
  const records = await listAuditEvents(deps.db, { ...filter, limit: 100_000 });
  let body = csvRow(['time', 'event', 'outcome', 'actor_id', 'actor_email', 'subject_id', 'subject_email', 'ip', 'user_agent', 'request_id', 'details']);
  for (const r of records) {
    body += csvRow([r.occurredAt.toISOString(), r.event, r.outcome, r.actorAccountId, r.actorEmail, r.subjectAccountId, r.subjectEmail, r.ip, r.userAgent, r.requestId, JSON.stringify(r.details)]);
  }
  return { download: { body, contentType: 'text/csv; charset=utf-8', filename: `audit-${ctx.org.slug}.csv` } };
};
