import { html } from '../core/html.js';
import { changeOrganizationPolicy, policyAsTexts } from '../flows/staff/policy.js';
import { field } from '../http/form-body.js';
import { inputField, selectField } from '../web/fields.js';
import type { MessageKey } from '../web/i18n.js';
import { csrfField, renderPage, type FormErrors } from '../web/layout.js';
import type { PageHandler, PageRequest, PageResult } from '../web/page.js';

const numberKeys = ['passwordMinLength', 'idleMinutes', 'absoluteHours', 'maxCodeValidityDays', 'welcomeLinkHours', 'resetLinkMinutes'] as const;
const requirementKeys = ['twoFactorClients', 'twoFactorStaff'] as const;
const booleanKeys = ['selfRegistration', 'passwordRequireSpecial'] as const;

function checkbox(name: string, label: string, checked: boolean) {
  return html`<div class="choice"><input type="checkbox" id="${name}" name="${name}" value="true"${checked ? html` checked` : null}><label for="${name}" class="inline-label">${label}</label></div>`;
}

function policyPage(page: PageRequest, values: Record<string, string>, errors?: FormErrors, notice?: string): PageResult {
  const { ctx } = page;
  const t = ctx.t;
  const requirement = (key: (typeof requirementKeys)[number]) =>
    selectField({
      name: key,
      label: t(`policy.${key}` as MessageKey),
      value: values[key],
      errors,
      options: (['off', 'optional', 'required'] as const).map((v) => ({ value: v, label: t(`policy.requirement.${v}`) })),
    });
  const methods = (values.twoFactorMethods ?? '').split(',');
  const body = html`<form method="post" action="/admin/policy" novalidate>
  ${csrfField(ctx)}
  <h2>${t('policy.accounts')}</h2>
  ${checkbox('selfRegistration', t('policy.selfRegistration'), values.selfRegistration === 'true')}
  <h2>${t('twoFactor.title')}</h2>
  ${requirement('twoFactorClients')}
  ${requirement('twoFactorStaff')}
  <fieldset${errors?.twoFactorMethods ? html` aria-describedby="twoFactorMethods-error"` : null}>
    <legend>${t('policy.twoFactorMethods')}</legend>
    ${errors?.twoFactorMethods ? html`<p class="error" id="twoFactorMethods-error">${errors.twoFactorMethods}</p>` : null}
    ${checkbox('method_totp', t('setup.method.totp'), methods.includes('totp'))}
    ${checkbox('method_sms', t('setup.method.sms'), methods.includes('sms'))}
  </fieldset>
  <h2>${t('policy.passwordsAndSessions')}</h2>
  ${checkbox('passwordRequireSpecial', t('policy.passwordRequireSpecial'), values.passwordRequireSpecial === 'true')}
  ${numberKeys.map((key) => inputField({ name: key, label: t(`policy.${key}` as MessageKey), value: values[key] ?? '', errors, inputMode: 'numeric' }))}
  <button type="submit">${t('account.save')}</button>
</form>`;
  return { status: errors ? 400 : 200, html: renderPage(ctx, { title: t('policy.title'), body, errors, notice }) };
}

export const showPolicy: PageHandler = async (page) =>
  policyPage(page, policyAsTexts(page.ctx.org.policy), undefined, page.query.saved === '1' ? page.ctx.t('policy.saved') : undefined);

/** Every key at once; one bad value refuses the whole change and keeps what was typed. */
export const submitPolicy: PageHandler = async (page) => {
  const { ctx, deps, body } = page;
  const submitted: Record<string, string> = {};
  for (const key of booleanKeys) submitted[key] = field(body, key) === 'true' ? 'true' : 'false';
  for (const key of [...requirementKeys, ...numberKeys]) submitted[key] = field(body, key).trim();
  submitted.twoFactorMethods = [field(body, 'method_totp') === 'true' ? 'totp' : '', field(body, 'method_sms') === 'true' ? 'sms' : ''].filter(Boolean).join(',');
  const changed = await changeOrganizationPolicy(deps, ctx.org, ctx.account!, ctx.client, submitted);
  if (!changed.ok) {
    const errors: FormErrors = {};
    for (const [key, problem] of Object.entries(changed.problems)) errors[key] = `${ctx.t('policy.error')} ${problem.replace(/^must be /, '')}`;
    return policyPage(page, submitted, errors);
  }
  return { redirect: '/admin/policy?saved=1' };
};
