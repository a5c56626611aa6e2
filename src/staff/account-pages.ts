import type { Account } from '../accounts/accounts.js';
import { html } from '../core/html.js';
import { listManagedAccounts, performStaffAction, viewManagedAccount, type ManagedAccountView, type StaffAction } from '../flows/staff/account-actions.js';
import { createAccount, creatableRoles, type CreateAccountError } from '../flows/staff/create-account.js';
import { field } from '../http/form-body.js';
import { inputField, selectField, textareaField } from '../web/fields.js';
import { emailForStaff, formatTime } from '../web/format.js';
import type { MessageKey } from '../web/i18n.js';
import { csrfField, renderPage, type FormErrors } from '../web/layout.js';
import { stackedTable } from '../web/table.js';
import type { PageHandler, PageRequest, PageResult } from '../web/page.js';
import { notFoundPage } from '../web/pages/errors.js';

export const listAccounts: PageHandler = async ({ deps, ctx, query }) => {
  const t = ctx.t;
  const q = (query.q ?? '').slice(0, 200);
  const found = await listManagedAccounts(deps, ctx.org, ctx.account!, q);
  const body = html`<form method="get" action="/staff/accounts" role="search">
  ${inputField({ name: 'q', label: t('staff.search'), type: 'search', value: q })}
  <button type="submit">${t('staff.searchSubmit')}</button>
</form>
<p><a href="/staff/accounts/new" class="button">${t('staff.new')}</a></p>
${found.length === 0
  ? html`<p>${t('staff.noResults')}</p>`
  : stackedTable({
      caption: t('staff.accounts'),
      columns: [{ label: t('field.name') }, { label: t('field.email') }, { label: t('field.role') }, { label: t('staff.state') }],
      rows: found.map((a: Account) => [html`<a href="/staff/accounts/${a.id}">${a.name}</a>`, emailForStaff(a.email), t(`role.${a.role}`), t(`state.${a.state}`)]),
    })}`;
  return { html: renderPage(ctx, { title: t('staff.accounts'), body }) };
};

const createErrorKeys: Record<CreateAccountError, MessageKey> = {
  invalid_email: 'form.error.email',
  invalid_name: 'staff.error.name',
  invalid_role: 'staff.error.role',
  invalid_locale: 'account.error.locale',
  role_not_allowed: 'staff.error.roleNotAllowed',
  email_taken: 'staff.error.emailTaken',
  email_look_alike: 'staff.error.emailLookAlike',
};

function newAccountForm(page: PageRequest, values: { email: string; name: string; role: string; locale: string }, errors?: FormErrors): PageResult {
  const { ctx } = page;
  const t = ctx.t;
  const body = html`<form method="post" action="/staff/accounts/new" novalidate>
  ${csrfField(ctx)}
  ${inputField({ name: 'name', label: t('field.name'), value: values.name, errors, required: true, autocomplete: 'off' })}
  ${inputField({ name: 'email', label: t('field.email'), type: 'email', value: values.email, errors, required: true, autocomplete: 'off' })}
  ${selectField({ name: 'role', label: t('field.role'), value: values.role, errors, options: creatableRoles(ctx.account!).map((r) => ({ value: r, label: t(`role.${r}`) })) })}
  ${selectField({ name: 'locale', label: t('field.language'), value: values.locale, errors, options: [{ value: '', label: t('staff.localeDefault') }, { value: 'nl', label: 'Nederlands' }, { value: 'en', label: 'English' }] })}
  <button type="submit">${t('staff.create')}</button>
</form>`;
  return { html: renderPage(ctx, { title: t('staff.new'), body, errors }) };
}

export const showNewAccount: PageHandler = async (page) => newAccountForm(page, { email: '', name: '', role: 'client', locale: '' });

export const submitNewAccount: PageHandler = async (page) => {
  const { deps, ctx, body } = page;
  const input = { email: field(body, 'email'), name: field(body, 'name'), role: field(body, 'role'), locale: field(body, 'locale') };
  const created = await createAccount(deps, ctx.org, ctx.account!, ctx.client, input);
  if (!created.ok) {
    const errors: FormErrors = {};
    for (const [name, error] of Object.entries(created.problems)) errors[name] = ctx.t(createErrorKeys[error], { other: emailForStaff(created.lookAlikeOf ?? '') });
    return newAccountForm(page, input, errors);
  }
  return { redirect: `/staff/accounts/${created.account.id}?done=created` };
};

const actionLabels: Record<StaffAction, MessageKey> = {
  resend_welcome: 'staff.action.resend_welcome',
  send_reset: 'staff.action.send_reset',
  unlock: 'staff.action.unlock',
  deactivate: 'staff.action.deactivate',
  reactivate: 'staff.action.reactivate',
  reset_two_factor: 'staff.action.reset_two_factor',
};

function accountDetail(page: PageRequest, view: ManagedAccountView, errors?: FormErrors, notice?: string, status = 200): PageResult {
  const { ctx } = page;
  const { subject, actions } = view;
  const t = ctx.t;
  const body = html`<dl class="facts">
  <dt>${t('field.email')}</dt><dd>${emailForStaff(subject.email)}</dd>
  <dt>${t('field.role')}</dt><dd>${t(`role.${subject.role}`)}</dd>
  <dt>${t('staff.state')}</dt><dd>${t(`state.${subject.state}`)}${view.lockedUntil ? html` · ${t('staff.lockedUntil', { time: formatTime(view.lockedUntil, ctx.locale, ctx.org.policy.timeZone) })}` : null}</dd>
  <dt>${t('staff.failedLogins')}</dt><dd>${subject.failedLoginCount}</dd>
  <dt>${t('staff.twoFactor')}</dt><dd>${view.secondFactor ? t('staff.twoFactor.on', { method: view.secondFactor === 'totp' ? 'app' : 'sms' }) : t('staff.twoFactor.off')}</dd>
  <dt>${t('staff.created')}</dt><dd>${formatTime(subject.createdAt, ctx.locale, ctx.org.policy.timeZone)}</dd>
</dl>
${actionSections(ctx, subject.id, actions, errors)}
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
  const view = await viewManagedAccount(page.deps, page.ctx.org, page.ctx.account!, page.params.id ?? '');
  if (!view.ok) return notFoundPage(page.ctx);
  const done = page.query.done;
  const noticeKey = done && Object.prototype.hasOwnProperty.call(doneNotices, done) ? doneNotices[done] : undefined;
  return accountDetail(page, view, undefined, noticeKey ? page.ctx.t(noticeKey) : undefined);
};

/** Deactivating and wiping two-step verification cut a person off: they stand apart and ask to confirm. */
const destructiveActions: readonly StaffAction[] = ['deactivate', 'reset_two_factor'];
const needsReason = (action: StaffAction) => action !== 'resend_welcome';

/**
 * Issue 12 stumble 6: each action is a form of its own, with its own reason where it needs one; the
 * ones that cut a person off come last, apart, in red, with a box to tick.
 */
function actionSections(ctx: PageRequest['ctx'], subjectId: string, actions: StaffAction[], errors?: FormErrors) {
  if (actions.length === 0) return null;
  const t = ctx.t;
  const form = (action: StaffAction) => {
    const destructive = destructiveActions.includes(action);
    const confirmId = `confirm-${action}`;
    const confirmError = errors?.[confirmId];
    return html`<form method="post" action="/staff/accounts/${subjectId}/action" novalidate class="staff-action${destructive ? ' staff-action--danger' : ''}" aria-labelledby="title-${action}">
  ${csrfField(ctx)}
  <input type="hidden" name="action" value="${action}">
  <h3 id="title-${action}">${t(actionLabels[action])}</h3>
  <p class="hint">${t(`staff.action.${action}.what` as MessageKey)}</p>
  ${needsReason(action) ? textareaField({ name: 'reason', id: `reason-${action}`, label: t('field.reason'), errors }) : null}
  ${destructive
    ? html`<div class="field${confirmError ? ' field-error' : ''}">${confirmError ? html`<p class="error" id="${confirmId}-error">${confirmError}</p>` : null}<div class="choice"><input type="checkbox" id="${confirmId}" name="confirm" value="yes"${confirmError ? html` aria-invalid="true" aria-describedby="${confirmId}-error"` : null}><label for="${confirmId}">${t(`staff.confirm.${action}` as MessageKey)}</label></div></div>`
    : null}
  <button type="submit" id="submit-${action}" class="${destructive ? 'danger' : 'secondary'}">${t(actionLabels[action])}</button>
</form>`;
  };
  const everyday = actions.filter((a) => !destructiveActions.includes(a));
  const cutting = actions.filter((a) => destructiveActions.includes(a));
  return html`${everyday.length > 0 ? html`<h2>${t('staff.actions')}</h2>${everyday.map(form)}` : null}
${cutting.length > 0 ? html`<h2>${t('staff.actions.danger')}</h2>${cutting.map(form)}` : null}`;
}

export const submitAccountAction: PageHandler = async (page) => {
  const { deps, ctx, body } = page;
  const subjectId = page.params.id ?? '';
  const action = field(body, 'action');
  const known = Object.prototype.hasOwnProperty.call(actionLabels, action) ? (action as StaffAction) : null;
  // A destructive action not confirmed changes nothing; the page says what is missing, field by field.
  if (known && destructiveActions.includes(known) && field(body, 'confirm') !== 'yes') {
    const view = await viewManagedAccount(deps, ctx.org, ctx.account!, subjectId);
    if (!view.ok) return notFoundPage(ctx);
    const errors: FormErrors = {};
    if (field(body, 'reason').trim() === '') errors[`reason-${known}`] = ctx.t('staff.error.reason');
    errors[`confirm-${known}`] = ctx.t('staff.error.confirm');
    return accountDetail(page, view, errors, undefined, 400);
  }
  const done = await performStaffAction(deps, ctx.org, ctx.account!, ctx.client, { subjectId, action, reason: field(body, 'reason') });
  if (done.ok) return { redirect: `/staff/accounts/${done.subject.id}?done=${done.action}` };
  if (done.error === 'not_found') return notFoundPage(ctx);
  if (done.error === 'reason_required') return accountDetail(page, done.view, { [`reason-${action}`]: ctx.t('staff.error.reason') }, undefined, 400);
  const where = known && done.view.actions.includes(known) ? (needsReason(known) ? `reason-${known}` : `submit-${known}`) : null;
  return accountDetail(page, done.view, where ? { [where]: ctx.t('staff.error.action') } : undefined, where ? undefined : ctx.t('staff.error.action'), done.error === 'not_applicable' ? 409 : 400);
};
