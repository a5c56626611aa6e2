import { html, type HtmlValue, type SafeHtml } from '../core/html.js';
import type { WebContext } from './context.js';

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
  return html`<div class="error-summary" role="alert" tabindex="-1" id="error-summary" aria-labelledby="error-summary-title">
  <h2 id="error-summary-title">${ctx.t('form.errorSummary')}</h2>
  <ul>${Object.entries(errors).map(([name, message]) => html`<li><a href="#${name}">${message}</a></li>`)}</ul>
</div>`;
}

function languageSwitch(ctx: WebContext): SafeHtml {
  const other = ctx.locale === 'nl' ? 'en' : 'nl';
  const label = other === 'nl' ? 'Nederlands' : 'English';
  return html`<a class="lang" href="?lang=${other}" hreflang="${other}" lang="${other}">${label}</a>`;
}

function logoutForm(ctx: WebContext): SafeHtml {
  return html`<form method="post" action="/logout" class="inline">${csrfField(ctx)}<button type="submit" class="link">${ctx.t('nav.logout')}</button></form>`;
}

function navigation(ctx: WebContext): SafeHtml {
  const account = ctx.account;
  if (!account) {
    // Half-way in (code step, forced setup, codes to store): the way out is always there.
    const halfWay = 'account' in ctx.standing && ctx.session !== null;
    return html`<nav aria-label="${ctx.t('nav.label')}">${languageSwitch(ctx)}${halfWay ? logoutForm(ctx) : null}</nav>`;
  }
  return html`<nav aria-label="${ctx.t('nav.label')}">
  <a href="/">${ctx.t('nav.home')}</a>
  <a href="/account">${ctx.t('nav.account')}</a>
  ${account.role !== 'client' ? html`<a href="/staff/accounts">${ctx.t('nav.staff')}</a>` : null}
  ${account.role === 'admin' ? html`<a href="/admin/policy">${ctx.t('nav.policy')}</a> <a href="/admin/clients">${ctx.t('nav.clients')}</a> <a href="/admin/audit">${ctx.t('nav.audit')}</a>` : null}
  ${logoutForm(ctx)}
</nav>`;
}

export function csrfField(ctx: WebContext): SafeHtml {
  return html`<input type="hidden" name="_csrf" value="${ctx.csrfToken()}">`;
}

export function renderPage(ctx: WebContext, content: PageContent): string {
  const hasErrors = content.errors && Object.keys(content.errors).length > 0;
  const title = hasErrors ? `${ctx.t('form.errorTitlePrefix')} ${content.title}` : content.title;
  return html`<!doctype html>
<html lang="${ctx.locale}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
${content.continueTo ? html`<meta http-equiv="refresh" content="0; url=${content.continueTo}">` : null}
<title>${title} – ${ctx.org.name}</title>
<link rel="stylesheet" href="/static/app.css">
${content.strengthHint ? html`<script src="/static/password-strength.js" defer></script>` : null}
${content.printScript ? html`<script src="/static/print.js" defer></script>` : null}
${content.passkeyScript ? html`<script src="/static/simplewebauthn-browser.js" defer></script><script src="/static/passkeys.js" defer></script>` : null}
</head>
<body>
<a class="skip-link" href="#main">${ctx.t('nav.skip')}</a>
<header class="site-header">
  <p class="org-name"><a href="/">${ctx.org.name}</a></p>
  ${navigation(ctx)}
</header>
<main id="main" tabindex="-1">
<h1>${content.title}</h1>
${errorSummary(ctx, content.errors)}
${content.notice ? html`<p class="notice" role="status">${content.notice}</p>` : null}
${content.body}
</main>
<footer class="site-footer">
  <a href="/help">${ctx.t('nav.help')}</a>
  <a href="/help/passwords">${ctx.t('nav.passwordTips')}</a>
  ${ctx.account ? languageSwitchNote(ctx) : null}
</footer>
</body>
</html>
`.value;
}

function languageSwitchNote(ctx: WebContext): SafeHtml {
  return html`<a href="/account">${ctx.t('nav.language')}</a>`;
}
