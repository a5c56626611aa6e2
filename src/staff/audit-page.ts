import type { AuditRecord } from '../audit/audit.js';
import { html } from '../core/html.js';
import { auditEventNames, searchAuditLog, type AuditQuery, type AuditQueryProblem } from '../flows/staff/audit-log.js';
import type { WebContext } from '../web/context.js';
import { emailForStaff } from '../web/format.js';
import { inputField, selectField } from '../web/fields.js';
import type { MessageKey } from '../web/i18n.js';
import { renderPage, type FormErrors } from '../web/layout.js';
import { eventLabel } from '../web/event-texts.js';
import { stackedTable } from '../web/table.js';
import { formatTime } from '../web/format.js';
import type { PageHandler, PageRequest, PageResult } from '../web/page.js';
import { csvRow } from './csv.js';

const problemKeys: Record<AuditQueryProblem, MessageKey> = { unknown_person: 'audit.error.person', unknown_event: 'audit.error.event', invalid_date: 'audit.error.date' };

/** The filter form as typed (SPEC 6: by person, event, time). */
function queryOf(page: PageRequest): AuditQuery {
  return {
    person: (page.query.person ?? '').trim().slice(0, 254),
    event: page.query.event ?? '',
    from: page.query.from ?? '',
    to: page.query.to ?? '',
  };
}

/** An address may wrap after its @ and before its dots, never inside a name. */
function breakableEmail(email: string) {
  const at = email.indexOf('@');
  if (at < 0) return email;
  return html`${email.slice(0, at + 1)}<wbr>${email.slice(at + 1).split('.').map((part, i) => (i === 0 ? part : html`<wbr>.${part}`))}`;
}

/** A value like `color,logo` may wrap after each comma. */
function breakableList(value: string) {
  return value.split(',').map((part, i) => (i === 0 ? part : html`,<wbr>${part}`));
}

function auditTable(ctx: WebContext, records: AuditRecord[]) {
  const t = ctx.t;
  if (records.length === 0) return html`<p>${t('audit.none')}</p>`;
  // Four columns, each cell a few short lines: readable at 1280 px without a sideways scroll, and stacked on a phone.
  return stackedTable({
    caption: t('audit.caption', { count: records.length }),
    columns: [{ label: t('audit.time') }, { label: t('audit.event') }, { label: t('audit.who') }, { label: t('audit.details') }],
    rows: records.map((r) => [
      html`<time datetime="${r.occurredAt.toISOString()}">${formatTime(r.occurredAt, ctx.locale, ctx.org.policy.timeZone)}</time>`,
      html`${eventLabel(r.event, ctx.locale)}<br>${r.outcome === 'success' ? t('activity.success') : t('activity.failure')}`,
      html`${r.actorEmail ? html`<span class="line">${t('audit.actor')}: ${breakableEmail(emailForStaff(r.actorEmail))}</span>` : null}${r.subjectEmail ? html`<span class="line">${t('audit.subject')}: ${breakableEmail(emailForStaff(r.subjectEmail))}</span>` : null}`,
      html`${r.ip ? html`<span class="line">IP ${r.ip}</span>` : null}${Object.entries(r.details).map(([k, v]) => html`<span class="line">${k}=${breakableList(String(v))}</span>`)}`,
    ]),
  });
}

function auditPage(page: PageRequest, query: AuditQuery, records: AuditRecord[], errors?: FormErrors): PageResult {
  const { ctx } = page;
  const t = ctx.t;
  const csvLink = `/admin/audit.csv?${new URLSearchParams({ ...query }).toString()}`;
  const body = html`<form method="get" action="/admin/audit" novalidate>
  ${inputField({ name: 'person', label: t('audit.person'), type: 'email', value: query.person, errors })}
  ${selectField({ name: 'event', label: t('audit.event'), value: query.event, errors, options: [{ value: '', label: t('audit.allEvents') }, ...auditEventNames.map((e) => ({ value: e, label: eventLabel(e, ctx.locale) }))] })}
  ${inputField({ name: 'from', label: t('audit.from'), type: 'date', value: query.from, errors })}
  ${inputField({ name: 'to', label: t('audit.to'), type: 'date', value: query.to, errors })}
  <button type="submit">${t('audit.filter')}</button>
</form>
<p><a href="${csvLink}">${t('audit.csv')}</a></p>
${auditTable(ctx, records)}`;
  return { status: errors ? 400 : 200, html: renderPage(ctx, { title: t('audit.title'), body, errors }) };
}

async function search(page: PageRequest, limit: number): Promise<{ query: AuditQuery; records: AuditRecord[] | null; errors?: FormErrors }> {
  const query = queryOf(page);
  const found = await searchAuditLog(page.deps, page.ctx.org, query, limit);
  if (found.ok) return { query, records: found.records };
  const errors: FormErrors = {};
  for (const [key, problem] of Object.entries(found.problems)) errors[key] = page.ctx.t(problemKeys[problem]);
  return { query, records: null, errors };
}

export const showAudit: PageHandler = async (page) => {
  const { query, records, errors } = await search(page, 500);
  return auditPage(page, query, records ?? [], errors);
};

export const exportAuditCsv: PageHandler = async (page) => {
  const { query, records, errors } = await search(page, 100_000);
  if (!records) return auditPage(page, query, [], errors);
  let body = csvRow(['time', 'event', 'outcome', 'actor_id', 'actor_email', 'subject_id', 'subject_email', 'ip', 'user_agent', 'request_id', 'details']);
  for (const r of records) {
    body += csvRow([r.occurredAt.toISOString(), r.event, r.outcome, r.actorAccountId, r.actorEmail, r.subjectAccountId, r.subjectEmail, r.ip, r.userAgent, r.requestId, JSON.stringify(r.details)]);
  }
  return { download: { body, contentType: 'text/csv; charset=utf-8', filename: `audit-${page.ctx.org.slug}.csv` } };
};
