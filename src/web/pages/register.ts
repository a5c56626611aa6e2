import { html } from '../../core/html.js';
import { requestRegistration } from '../../flows/registration.js';
import { field } from '../../http/form-body.js';
import { ensureSession } from '../context.js';
import { inputField } from '../fields.js';
import { csrfField, renderPage, type FormErrors } from '../layout.js';
import type { PageHandler, PageRequest, PageResult } from '../page.js';
import { notFoundPage, throttledForm } from './errors.js';

async function registerForm(page: PageRequest, values: { email: string; name: string }, errors?: FormErrors): Promise<PageResult> {
  const { ctx, deps, reply } = page;
  await ensureSession(deps, ctx, reply);
  const t = ctx.t;
  const body = html`<p>${t('register.intro', { org: ctx.org.name })}</p>
<form method="post" action="/register" novalidate>
  ${csrfField(ctx)}
  ${inputField({ name: 'name', label: t('field.name'), value: values.name, autocomplete: 'name', errors, required: true })}
  ${inputField({ name: 'email', label: t('field.email'), type: 'email', value: values.email, autocomplete: 'email', errors, required: true })}
  <button type="submit">${t('register.submit')}</button>
</form>
<p><a href="/login">${t('register.haveAccount')}</a></p>`;
  return { html: renderPage(ctx, { title: t('register.title'), body, errors }) };
}

export const showRegister: PageHandler = async (page) => {
  if (!page.ctx.org.policy.selfRegistration) return notFoundPage(page.ctx);
  return registerForm(page, { email: '', name: '' });
};

export const submitRegister: PageHandler = async (page) => {
  const { deps, ctx, body } = page;
  const values = { email: field(body, 'email').trim(), name: field(body, 'name').trim() };
  const requested = await requestRegistration(deps, ctx.org, ctx.client, { ...values, locale: ctx.locale });
  if (!requested.ok) {
    switch (requested.error) {
      case 'closed':
        return notFoundPage(ctx);
      case 'rate_limited':
        return throttledForm(page, registerForm(page, values, { email: ctx.t('login.error.rateLimited', { minutes: Math.ceil(requested.retryAfterSeconds / 60) }) }), requested.retryAfterSeconds);
      case 'invalid': {
        const errors: FormErrors = {};
        if (requested.problems.name) errors.name = ctx.t('register.error.name');
        if (requested.problems.email) errors.email = ctx.t('form.error.email');
        return registerForm(page, values, errors);
      }
    }
  }
  const text = html`<p>${ctx.t('register.sent.text', { email: values.email })}</p><p>${ctx.t('register.sent.spam')}</p>`;
  return { html: renderPage(ctx, { title: ctx.t('register.sent.title'), body: text }) };
};
