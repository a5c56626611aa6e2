import { html } from '../core/html.js';
import { changeOrganizationPolicy, listPolicyChanges, policyAsTexts, type PolicyChangeRecord } from '../flows/staff/policy.js';
import { field } from '../http/form-body.js';
import { sessionTargetOf, type WebContext } from '../web/context.js';
import { inputField, selectField } from '../web/fields.js';
import { formatTime } from '../web/format.js';
import { smsNotice, stepUpErrors, stepUpFields, stepUpProofsOf } from '../web/pages/code-fields.js';
import type { MessageKey } from '../web/i18n.js';
import { csrfField, renderPage, type FormErrors } from '../web/layout.js';
import type { PageHandler, PageRequest, PageResult } from '../web/page.js';

const numberKeys = ['passwordMinLength', 'passwordMinGuessesLog10', 'idleMinutes', 'absoluteHours', 'maxCodeValidityDays', 'welcomeLinkHours', 'resetLinkMinutes'] as const;
const requirementKeys = ['twoFactorClients', 'twoFactorStaff'] as const;
const booleanKeys = ['selfRegistration', 'passwordRequireSpecial', 'passkeysRequiredForStaff'] as const;

function checkbox(name: string, label: string, checked: boolean, error?: string) {
  const described = error ? html` aria-describedby="${name}-error" aria-invalid="true"` : null;
  return html`<div class="choice">${error ? html`<p class="error" id="${name}-error">${error}</p>` : null}<input type="checkbox" id="${name}" name="${name}" value="true"${checked ? html` checked` : null}${described}><label for="${name}" class="inline-label">${label}</label></div>`;
}

/** What changed, when and by whom (SECURITY 40). */
function history(ctx: WebContext, changes: PolicyChangeRecord[]) {
  const t = ctx.t;
  if (changes.length === 0) return html`<p>${t('policy.history.none')}</p>`;
  return html`<ul class="policy-history">${changes.map(
    (c) => html`<li><p>${t('policy.history.by', { time: formatTime(c.at, ctx.locale, ctx.org.policy.timeZone), who: c.by ?? t('policy.history.operator') })}${c.weakened.length > 0 ? html` · <strong>${t('policy.history.weakened')}</strong>` : null}</p>
<p>${c.changes.map((change) => `${change.key} = ${change.to}`).join(', ')}</p></li>`,
  )}</ul>`;
}

async function policyPage(page: PageRequest, values: Record<string, string>, errors?: FormErrors, notice?: string): Promise<PageResult> {
  const { ctx, deps } = page;
  const t = ctx.t;
  const stepUp = await stepUpFields(page, 'change_policy', errors, '/admin/policy');
  const changes = await listPolicyChanges(deps, ctx.org);
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
    ${checkbox('method_passkey', t('policy.method.passkey'), methods.includes('passkey'))}
  </fieldset>
  ${checkbox('passkeysRequiredForStaff', t('policy.passkeysRequiredForStaff'), values.passkeysRequiredForStaff === 'true', errors?.passkeysRequiredForStaff)}
  ${inputField({ name: 'smsCountries', label: t('policy.smsCountries'), hint: t('policy.smsCountries.hint'), value: values.smsCountries ?? '', errors, autocomplete: 'off' })}
  ${inputField({ name: 'smsDailyLimit', label: t('policy.smsDailyLimit'), value: values.smsDailyLimit ?? '', errors, inputMode: 'numeric' })}
  <h2>${t('policy.passwordsAndSessions')}</h2>
  ${checkbox('passwordRequireSpecial', t('policy.passwordRequireSpecial'), values.passwordRequireSpecial === 'true')}
  ${numberKeys.map((key) => inputField({ name: key, label: t(`policy.${key}` as MessageKey), value: values[key] ?? '', errors, inputMode: 'numeric' }))}
  ${inputField({ name: 'timeZone', label: t('policy.timeZone'), hint: t('policy.timeZone.hint'), value: values.timeZone ?? '', errors, autocomplete: 'off' })}
  <h2>${t('account.security')}</h2>
  <p>${t('policy.confirm')}</p>
  ${stepUp.fields}
  <button type="submit">${t('account.save')}</button>
</form>
${stepUp.smsButton}
<h2>${t('policy.history')}</h2>
${history(ctx, changes)}`;
  return { status: errors ? 400 : 200, html: renderPage(ctx, { title: t('policy.title'), body, errors, notice: notice ?? smsNotice(ctx, page.query), passkeyScript: stepUp.passkeyScript }) };
}

export const showPolicy: PageHandler = async (page) =>
  policyPage(page, policyAsTexts(page.ctx.org.policy), undefined, page.query.saved === '1' ? page.ctx.t('policy.saved') : undefined);

/** Every key at once; one bad value refuses the whole change and keeps what was typed. */
export const submitPolicy: PageHandler = async (page) => {
  const { ctx, deps, body, reply } = page;
  const submitted: Record<string, string> = {};
  for (const key of booleanKeys) submitted[key] = field(body, key) === 'true' ? 'true' : 'false';
  for (const key of [...requirementKeys, ...numberKeys, 'smsCountries', 'smsDailyLimit']) submitted[key] = field(body, key).trim();
  // A form of before the time zone was a key (an open tab) still saves; the zone then stays as it is.
  if (Object.prototype.hasOwnProperty.call(body, 'timeZone')) submitted.timeZone = field(body, 'timeZone').trim();
  submitted.twoFactorMethods = (['totp', 'sms', 'passkey'] as const).filter((m) => field(body, `method_${m}`) === 'true').join(',');
  const target = sessionTargetOf(deps, ctx, reply, ctx.account!);
  const changed = await changeOrganizationPolicy(deps, ctx.org, { kind: 'admin', target, proofs: stepUpProofsOf(body) }, ctx.client, submitted);
  if (!changed.ok) {
    if (changed.error !== 'invalid_policy') return policyPage(page, submitted, stepUpErrors(ctx, changed));
    const errors: FormErrors = {};
    for (const [key, problem] of Object.entries(changed.problems)) errors[key] = `${ctx.t('policy.error')} ${problem.replace(/^must be /, '')}`;
    return policyPage(page, submitted, errors);
  }
  return { redirect: '/admin/policy?saved=1' };
};
