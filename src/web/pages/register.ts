import { isPlausibleEmail } from '../../accounts/email.js';
import { validName } from '../../accounts/name.js';
import { html } from '../../core/html.js';
import { clientIpKey, hitRateLimit } from '../../core/rate-limit.js';
import { requestRegistration } from '../../flows/registration.js';
import { ensureSession } from '../context.js';
import { inputField } from '../fields.js';
import { field } from '../form-body.js';
import { csrfField, renderPage, type FormErrors } from '../layout.js';
import type { PageHandler, PageRequest, PageResult } from '../page.js';
import { notFoundPage } from './errors.js';

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
  if (!ctx.org.policy.selfRegistration) return notFoundPage(ctx);
  const email = field(body, 'email').trim();
  const name = field(body, 'name').trim();
  const errors: FormErrors = {};
  if (validName(name) === null) errors.name = ctx.t('register.error.name');
  if (!isPlausibleEmail(email)) errors.email = ctx.t('form.error.email');
  if (Object.keys(errors).length > 0) return registerForm(page, { email, name }, errors);
  const limit = await hitRateLimit(deps.db, ctx.org.tenantId, `register_ip:${clientIpKey(ctx.client.ip)}`, { limit: 10, windowSeconds: 3600 }, deps.clock.now());
  if (!limit.allowed) return registerForm(page, { email, name }, { email: ctx.t('login.error.rateLimited', { minutes: Math.ceil(limit.retryAfterSeconds / 60) }) });
  await requestRegistration(deps, ctx.org, ctx.client, { email, name, locale: ctx.locale });
  const text = html`<p>${ctx.t('register.sent.text', { email })}</p><p>${ctx.t('register.sent.spam')}</p>`;
  return { html: renderPage(ctx, { title: ctx.t('register.sent.title'), body: text }) };
};
