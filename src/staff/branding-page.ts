import { html } from '../core/html.js';
import { changeOrganizationBranding, defaultBrandColor, maxBrandImageBytes, type BrandingChange, type BrandingProblem } from '../flows/staff/branding.js';
import { field } from '../http/form-body.js';
import { uploadedFiles } from '../http/multipart-body.js';
import { sessionTargetOf, type WebContext } from '../web/context.js';
import { inputField } from '../web/fields.js';
import type { MessageKey } from '../web/i18n.js';
import { csrfField, renderPage, type FormErrors } from '../web/layout.js';
import type { PageHandler, PageRequest, PageResult } from '../web/page.js';
import { smsNotice, stepUpErrors, stepUpFields, stepUpProofsOf } from '../web/pages/code-fields.js';

const kilobytes = Math.floor(maxBrandImageBytes / 1000);

function problemText(ctx: WebContext, problem: BrandingProblem): string {
  if (problem.error === 'invalid_color') return ctx.t('branding.error.invalid_color');
  if (problem.error === 'low_contrast') return ctx.t('branding.error.low_contrast', { contrast: problem.contrast.toLocaleString(ctx.locale === 'nl' ? 'nl-NL' : 'en-GB') });
  return ctx.t(`branding.error.${problem.problem}` as MessageKey, { kb: kilobytes, detail: problem.detail ?? '' });
}

function fileField(ctx: WebContext, name: 'logo' | 'favicon', errors: FormErrors | undefined) {
  const error = errors?.[name];
  const describedBy = [`${name}-hint`, error ? `${name}-error` : null].filter(Boolean).join(' ');
  return html`<div class="field${error ? ' field-error' : ''}">
  <label for="${name}">${ctx.t(name === 'logo' ? 'branding.logo' : 'branding.favicon')}</label>
  <p class="hint" id="${name}-hint">${ctx.t(name === 'logo' ? 'branding.logo.hint' : 'branding.favicon.hint', { kb: kilobytes })}</p>
  ${error ? html`<p class="error" id="${name}-error">${error}</p>` : null}
  <input type="file" id="${name}" name="${name}" accept="image/png,image/svg+xml" aria-describedby="${describedBy}"${error ? html` aria-invalid="true"` : null}>
</div>`;
}

function removeChoice(ctx: WebContext, name: 'removeLogo' | 'removeFavicon', shown: boolean) {
  if (!shown) return null;
  return html`<div class="choice"><input type="checkbox" id="${name}" name="${name}" value="true"><label for="${name}">${ctx.t(name === 'removeLogo' ? 'branding.removeLogo' : 'branding.removeFavicon')}</label></div>`;
}

async function brandingPage(page: PageRequest, color: string, errors?: FormErrors, notice?: string): Promise<PageResult> {
  const { ctx } = page;
  const t = ctx.t;
  const brand = ctx.org.brand;
  const stepUp = await stepUpFields(page, 'change_branding', errors, '/admin/branding');
  const body = html`<p>${t('branding.intro')}</p>
<h2>${t('branding.current')}</h2>
<div class="brand-preview">
  ${brand.logoDigest ? html`<img src="/brand/logo?v=${brand.logoDigest}" alt="${t('branding.currentLogo', { org: ctx.org.name })}">` : html`<p>${t('branding.noLogo')}</p>`}
  <span class="swatch" aria-hidden="true"></span> <span>${brand.color ?? defaultBrandColor}</span>
</div>
<form method="post" action="/admin/branding" enctype="multipart/form-data" novalidate>
  ${csrfField(ctx)}
  ${inputField({ name: 'color', label: t('branding.color'), hint: t('branding.color.hint', { example: defaultBrandColor }), value: color, errors, autocomplete: 'off' })}
  ${fileField(ctx, 'logo', errors)}
  ${removeChoice(ctx, 'removeLogo', brand.logoDigest !== null)}
  ${fileField(ctx, 'favicon', errors)}
  ${removeChoice(ctx, 'removeFavicon', brand.faviconDigest !== null)}
  <h2>${t('account.security')}</h2>
  <p>${t('branding.confirm')}</p>
  ${stepUp.fields}
  <button type="submit">${t('account.save')}</button>
</form>
${stepUp.smsButton}`;
  return { status: errors ? 400 : 200, html: renderPage(ctx, { title: t('branding.title'), body, errors, notice: notice ?? smsNotice(ctx, page.query), passkeyScript: stepUp.passkeyScript }) };
}

export const showBranding: PageHandler = async (page) =>
  brandingPage(page, page.ctx.org.brand.color ?? '', undefined, page.query.saved === '1' ? page.ctx.t('branding.saved') : undefined);

/** SPEC 6: colour, logo and favicon at once; a bad one changes nothing and says why, per field. */
export const submitBranding: PageHandler = async (page) => {
  const { ctx, deps, body, reply } = page;
  const files = uploadedFiles(body);
  const color = field(body, 'color').trim();
  const change: BrandingChange = { color };
  if (files.logo) change.logo = files.logo.data;
  else if (field(body, 'removeLogo') === 'true') change.logo = 'remove';
  if (files.favicon) change.favicon = files.favicon.data;
  else if (field(body, 'removeFavicon') === 'true') change.favicon = 'remove';
  const target = sessionTargetOf(deps, ctx, reply, ctx.account!);
  const changed = await changeOrganizationBranding(deps, ctx.org, { kind: 'admin', target, proofs: stepUpProofsOf(body) }, ctx.client, change);
  if (!changed.ok) {
    if (changed.error !== 'invalid_branding') return brandingPage(page, color, stepUpErrors(ctx, changed));
    const errors: FormErrors = {};
    for (const key of ['color', 'logo', 'favicon'] as const) {
      const problem = changed.problems[key];
      if (problem) errors[key] = problemText(ctx, problem);
    }
    return brandingPage(page, color, errors);
  }
  return { redirect: '/admin/branding?saved=1' };
};
