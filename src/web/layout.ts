import { html, type HtmlValue, type SafeHtml } from '../core/html.js';
import { brandStylesheetVersion, faviconVersion } from '../flows/brand-look.js';
import type { WebContext } from './context.js';
import { staticUrl } from './static-files.js';

export interface PageContent {
  title: string;
  body: HtmlValue;
  /** A message above the content, e.g. after a redirect. */
  notice?: string | null;
  /** Errors found in a posted form: the title says so and a summary links to each field. */
  errors?: FormErrors;
  /** Loads the password-strength hint script. */
  strengthHint?: boolean;
  /** Loads the script behind `data-print` buttons. */
  printScript?: boolean;
  /** Loads the passkey ceremonies (SPEC 11): the SimpleWebAuthn browser library and static/passkeys.js. */
  passkeyScript?: boolean;
  /**
   * Sends the browser on at once (a refresh, no script), with a link for the browser that does
   * not: where a form's answer hands over to another site (SECURITY 21's `form-action 'self'`
   * also governs the redirects that follow a posted form, so those may not lead off this origin).
   */
  continueTo?: string;
}

export type FormErrors = Record<string, string>;

function errorSummary(ctx: WebContext, errors: FormErrors | undefined): SafeHtml | null {
  if (!errors || Object.keys(errors).length === 0) return null;
  return html`<div class="error-summary" role="alert" tabindex="-1" id="error-summary" aria-labelledby="error-summary-title" autofocus>
  <h2 id="error-summary-title">${ctx.t('form.errorSummary')}</h2>
  <ul>${Object.entries(errors).map(([name, message]) => html`<li><a href="#${name}">${message}</a></li>`)}</ul>
</div>`;
}

function languageSwitch(ctx: WebContext): SafeHtml {
  const other = ctx.locale === 'nl' ? 'en' : 'nl';
  const label = other === 'nl' ? 'Nederlands' : 'English';
  return html`<a class="lang" href="?lang=${other}" hreflang="${other}" lang="${other}">${label}</a>`;
}

/** The logo beside the name, which says it in words: the image adds nothing for a screen reader. */
function logo(ctx: WebContext): SafeHtml | null {
  const digest = ctx.org.brand.logoDigest;
  return digest === null ? null : html`<img class="org-logo" src="/brand/logo?v=${digest}" alt="" height="48">`;
}

function logoutForm(ctx: WebContext): SafeHtml {
  return html`<form method="post" action="/logout" class="inline">${csrfField(ctx)}<button type="submit" class="link">${ctx.t('nav.logout')}</button></form>`;
}

function navigation(ctx: WebContext): SafeHtml | null {
  const account = ctx.account;
  if (!account) {
    // Half-way in (code step, forced setup, codes to store): the way out is always there.
    const halfWay = 'account' in ctx.standing && ctx.session !== null;
    return halfWay ? html`<nav class="site-nav" aria-label="${ctx.t('nav.label')}"><div class="page">${logoutForm(ctx)}</div></nav>` : null;
  }
  return html`<nav class="site-nav" aria-label="${ctx.t('nav.label')}"><div class="page">
  <a href="/">${ctx.t('nav.home')}</a>
  <a href="/account">${ctx.t('nav.account')}</a>
  ${account.role !== 'client' ? html`<a href="/staff/accounts">${ctx.t('nav.staff')}</a>` : null}
  ${account.role === 'admin' ? html`<a href="/admin/policy">${ctx.t('nav.policy')}</a> <a href="/admin/branding">${ctx.t('nav.branding')}</a> <a href="/admin/clients">${ctx.t('nav.clients')}</a> <a href="/admin/audit">${ctx.t('nav.audit')}</a>` : null}
  ${logoutForm(ctx)}
</div></nav>`;
}

export function csrfField(ctx: WebContext): SafeHtml {
  return html`<input type="hidden" name="_csrf" value="${ctx.csrfToken()}">`;
}

export function renderPage(ctx: WebContext, content: PageContent): string {
  const hasErrors = content.errors && Object.keys(content.errors).length > 0;
  const title = hasErrors ? `${ctx.t('form.errorTitlePrefix')} ${content.title}` : content.title;
  return html`<!doctype html>
<html lang="${ctx.locale}" class="utrecht-theme utrecht-html ingang">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
${content.continueTo ? html`<meta http-equiv="refresh" content="0; url=${content.continueTo}">` : null}
<title>${title} – ${ctx.org.name}</title>
<link rel="stylesheet" href="${staticUrl('app.css')}">
<link rel="stylesheet" href="/brand.css?v=${brandStylesheetVersion(ctx.org)}">
<link rel="icon" href="/brand/favicon?v=${faviconVersion(ctx.org)}">
${content.strengthHint ? html`<script src="${staticUrl('password-strength.js')}" defer></script>` : null}
${content.printScript ? html`<script src="${staticUrl('print.js')}" defer></script>` : null}
${content.passkeyScript ? html`<script src="${staticUrl('simplewebauthn-browser.js')}" defer></script><script src="${staticUrl('passkeys.js')}" defer></script>` : null}
</head>
<body>
<a class="skip-link" href="#main">${ctx.t('nav.skip')}</a>
<header class="site-header">
  <div class="site-header__band">
    <a class="org-brand" href="/">${logo(ctx)}<span class="org-name">${ctx.org.name}</span></a>
    ${ctx.account ? null : languageSwitch(ctx)}
  </div>
  ${navigation(ctx)}
</header>
<main id="main" tabindex="-1">
<div class="page">
<h1>${content.title}</h1>
${errorSummary(ctx, content.errors)}
${content.notice ? html`<p class="notice" role="status">${content.notice}</p>` : null}
${content.body}
</div>
</main>
<footer class="site-footer">
  <div class="page">
  <a href="/help">${ctx.t('nav.help')}</a>
  <a href="/help/passwords">${ctx.t('nav.passwordTips')}</a>
  ${ctx.account ? languageSwitchNote(ctx) : null}
  </div>
</footer>
</body>
</html>
`.value;
}

function languageSwitchNote(ctx: WebContext): SafeHtml {
  return html`<a href="/account">${ctx.t('nav.language')}</a>`;
}
