import { searchAccounts, type Account } from '../accounts/accounts.js';
import { canAdministerAccounts, canCreateRole, roles } from '../accounts/roles.js';
import { html } from '../core/html.js';
import { createAccount, performStaffAction, type CreateAccountError, type StaffAction } from '../flows/account-admin.js';
import { isLocked, lockedUntil } from '../flows/lockout.js';
import { inputField, selectField, textareaField } from '../web/fields.js';
import { field } from '../web/form-body.js';
import type { MessageKey } from '../web/i18n.js';
import { csrfField, renderPage, type FormErrors } from '../web/layout.js';
import type { PageHandler, PageRequest, PageResult } from '../web/page.js';
import { notFoundPage } from '../web/pages/errors.js';
import { findActiveFactor } from '../factors/second-factor/store.js';
import { findManagedAccount, visibleRoles } from './scope.js';
import { formatTime } from '../web/format.js';


export const listAccounts: PageHandler = async ({ deps, ctx, query }) => {
  const actor = ctx.account!;
  const t = ctx.t;
  const q = (query.q ?? '').slice(0, 200);
  const found = await searchAccounts(deps.db, {
    tenantId: ctx.org.tenantId,
    query: q,
    roles: visibleRoles(actor),
    clientsOf: actor.role === 'professional' ? actor.id : undefined,
    limit: 100,
  });
  const body = html`<form method="get" action="/staff/accounts" role="search">
  ${inputField({ name: 'q', label: t('staff.search'), type: 'search', value: q })}
  <button type="submit">${t('staff.searchSubmit')}</button>
</form>
<p><a href="/staff/accounts/new" class="button">${t('staff.new')}</a></p>
${found.length === 0
  ? html`<p>${t('staff.noResults')}</p>`
  : html`<table>
  <caption>${t('staff.accounts')}</caption>
  <thead><tr><th scope="col">${t('field.name')}</th><th scope="col">${t('field.email')}</th><th scope="col">${t('field.role')}</th><th scope="col">${t('staff.state')}</th></tr></thead>
  <tbody>${found.map((a) => html`<tr><td><a href="/staff/accounts/${a.id}">${a.name}</a></td><td>${a.email}</td><td>${t(`role.${a.role}`)}</td><td>${t(`state.${a.state}`)}</td></tr>`)}</tbody>
</table>`}`;
  return { html: renderPage(ctx, { title: t('staff.accounts'), body }) };
};

const createErrorKeys: Record<CreateAccountError, MessageKey> = {
  invalid_email: 'form.error.email',
  invalid_name: 'register.error.name',
  invalid_role: 'staff.error.role',
  invalid_locale: 'account.error.locale',
  role_not_allowed: 'staff.error.roleNotAllowed',
  email_taken: 'staff.error.emailTaken',
};

function newAccountForm(page: PageRequest, values: { email: string; name: string; role: string; locale: string }, errors?: FormErrors): PageResult {
  const { ctx } = page;
  const t = ctx.t;
  const allowedRoles = roles.filter((r) => canCreateRole(ctx.account!.role, r));
  const body = html`<form method="post" action="/staff/accounts/new" novalidate>
  ${csrfField(ctx)}
  ${inputField({ name: 'name', label: t('field.name'), value: values.name, errors, required: true, autocomplete: 'off' })}
  ${inputField({ name: 'email', label: t('field.email'), type: 'email', value: values.email, errors, required: true, autocomplete: 'off' })}
  ${selectField({ name: 'role', label: t('field.role'), value: values.role, errors, options: allowedRoles.map((r) => ({ value: r, label: t(`role.${r}`) })) })}
  ${selectField({ name: 'locale', label: t('field.language'), value: values.locale, errors, options: [{ value: '', label: t('staff.localeDefault') }, { value: 'nl', label: 'Nederlands' }, { value: 'en', label: 'English' }] })}
  <button type="submit">${t('staff.create')}</button>
</form>`;
  return { html: renderPage(ctx, { title: t('staff.new'), body, errors }) };
}

export const showNewAccount: PageHandler = async (page) => newAccountForm(page, { email: '', name: '', role: 'client', locale: '' });

export const submitNewAccount: PageHandler = async (page) => {
  const { deps, ctx, body } = page;
  const input = { email: field(body, 'email'), name: field(body, 'name'), role: field(body, 'role'), locale: field(body, 'locale') };
  const outcome = await createAccount(deps, ctx.org, ctx.account!, ctx.client, input);
  if (!outcome.ok) {
    const errors: FormErrors = {};
    for (const [name, error] of Object.entries(outcome.errors)) errors[name] = ctx.t(createErrorKeys[error]);
    return newAccountForm(page, input, errors);
  }
  return { redirect: `/staff/accounts/${outcome.account.id}?done=created` };
};

/** The actions a staff member may take on this account now (SPEC 6). */
function availableActions(actor: Account, subject: Account, hasSecondFactor: boolean): StaffAction[] {
  const actions: StaffAction[] = [];
  if (subject.state === 'invited') actions.push('resend_welcome');
  // SPEC 4.6: a professional (for their clients), helpdesk or admin resets a lost second factor.
  if (hasSecondFactor && subject.id !== actor.id) actions.push('reset_two_factor');
  if (!canAdministerAccounts(actor.role)) return actions;
  if (subject.state === 'active') actions.push('send_reset');
  if (subject.failedLoginCount > 0) actions.push('unlock');
  if (subject.state === 'deactivated') actions.push('reactivate');
  else if (subject.id !== actor.id) actions.push('deactivate');
  return actions;
}

const actionLabels: Record<StaffAction, MessageKey> = {
  resend_welcome: 'staff.action.resend_welcome',
  send_reset: 'staff.action.send_reset',
  unlock: 'staff.action.unlock',
  deactivate: 'staff.action.deactivate',
  reactivate: 'staff.action.reactivate',
  reset_two_factor: 'staff.action.reset_two_factor',
};

async function accountDetail(page: PageRequest, subject: Account, errors?: FormErrors, notice?: string, status = 200): Promise<PageResult> {
  const { ctx, deps } = page;
  const factor = await findActiveFactor(deps.db, ctx.org.tenantId, subject.id);
  const t = ctx.t;
  const now = deps.clock.now();
  const locked = isLocked(subject, now);
  const until = lockedUntil(subject);
  const actions = availableActions(ctx.account!, subject, factor !== null);
  const body = html`<dl class="facts">
  <dt>${t('field.email')}</dt><dd>${subject.email}</dd>
  <dt>${t('field.role')}</dt><dd>${t(`role.${subject.role}`)}</dd>
  <dt>${t('staff.state')}</dt><dd>${t(`state.${subject.state}`)}${locked && until ? html` · ${t('staff.lockedUntil', { time: formatTime(until, ctx.locale) })}` : null}</dd>
  <dt>${t('staff.failedLogins')}</dt><dd>${subject.failedLoginCount}</dd>
  <dt>${t('staff.twoFactor')}</dt><dd>${factor ? t('staff.twoFactor.on', { method: factor.method === 'totp' ? 'app' : 'sms' }) : t('staff.twoFactor.off')}</dd>
  <dt>${t('staff.created')}</dt><dd>${formatTime(subject.createdAt, ctx.locale)}</dd>
</dl>
${actions.length > 0
  ? html`<h2>${t('staff.actions')}</h2>
<form method="post" action="/staff/accounts/${subject.id}/action" novalidate>
  ${csrfField(ctx)}
  ${textareaField({ name: 'reason', label: t('field.reason'), errors })}
  <div class="actions">${actions.map((a) => html`<button type="submit" name="action" value="${a}">${t(actionLabels[a])}</button>`)}</div>
</form>`
  : null}
<p><a href="/staff/accounts">${t('staff.back')}</a></p>`;
  return { status, html: renderPage(ctx, { title: subject.name, body, errors, notice }) };
}

const doneNotices: Record<string, MessageKey> = {
  created: 'staff.done.created',
  resend_welcome: 'staff.done.resend_welcome',
  send_reset: 'staff.done.send_reset',
  unlock: 'staff.done.unlock',
  deactivate: 'staff.done.deactivate',
  reactivate: 'staff.done.reactivate',
  reset_two_factor: 'staff.done.reset_two_factor',
};

export const showAccountDetail: PageHandler = async (page) => {
  const subject = await findManagedAccount(page.deps.db, page.ctx.account!, page.params.id ?? '');
  if (!subject) return notFoundPage(page.ctx);
  const done = page.query.done;
  const noticeKey = done && Object.prototype.hasOwnProperty.call(doneNotices, done) ? doneNotices[done] : undefined;
  return accountDetail(page, subject, undefined, noticeKey ? page.ctx.t(noticeKey) : undefined);
};

export const submitAccountAction: PageHandler = async (page) => {
  const { deps, ctx, body } = page;
  const actor = ctx.account!;
  const subject = await findManagedAccount(deps.db, actor, page.params.id ?? '');
  if (!subject) return notFoundPage(ctx);
  const action = field(body, 'action') as StaffAction;
  const reason = field(body, 'reason').trim().slice(0, 1000);
  const hasFactor = (await findActiveFactor(deps.db, ctx.org.tenantId, subject.id)) !== null;
  if (!availableActions(actor, subject, hasFactor).includes(action)) return accountDetail(page, subject, { reason: ctx.t('staff.error.action') }, undefined, 400);
  if (action !== 'resend_welcome' && reason.length === 0) return accountDetail(page, subject, { reason: ctx.t('staff.error.reason') }, undefined, 400);
  const outcome = await performStaffAction(deps, ctx.org, actor, subject, ctx.client, action, reason);
  if (!outcome.ok) return accountDetail(page, subject, { reason: ctx.t('staff.error.action') }, undefined, 409);
  return { redirect: `/staff/accounts/${subject.id}?done=${action}` };
};
