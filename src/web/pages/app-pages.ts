import QRCode from 'qrcode';
import { html } from '../../core/html.js';
import { describeOwnActivity } from '../../flows/account-profile.js';
import { eventTexts } from '../event-texts.js';
import { listAccountDevices, removeOwnDevice, showAppQrCode } from '../../flows/app-link.js';
import { describeStepUp } from '../../flows/step-up.js';
import { applicationsOf, revokeApplication } from '../../flows/openid-clients.js';
import { field } from '../../http/form-body.js';
import { sessionTargetOf } from '../context.js';
import { inputField } from '../fields.js';
import { formatTime } from '../format.js';
import { stackedTable } from '../table.js';
import { csrfField, renderPage, type FormErrors } from '../layout.js';
import type { PageHandler, PageRequest, PageResult } from '../page.js';
import { passkeyStepUpOption, smsCodeButton, smsNotice, stepUpErrors, stepUpProofsOf } from './code-fields.js';

const target = (page: PageRequest) => sessionTargetOf(page.deps, page.ctx, page.reply, page.ctx.account!);

/** SPEC 4.7: the QR code only after a password or code check at most 10 minutes old; else the page asks them first. */
async function appPage(page: PageRequest, options: { qr?: { image: string; expiresAt: Date }; errors?: FormErrors } = {}): Promise<PageResult> {
  const { ctx, deps } = page;
  const t = ctx.t;
  const asks = await describeStepUp(deps, ctx.org, target(page), 'show_app_qr');
  const qr = options.qr
    ? html`<div class="app-qr" role="status">
  <img class="qr" src="${options.qr.image}" width="260" height="260" alt="${t('app.qrAlt')}">
  <p>${t('app.expires', { time: formatTime(options.qr.expiresAt, ctx.locale, ctx.org.policy.timeZone) })}</p>
</div>`
    : null;
  const body = html`<p>${t('app.intro')}</p>
${qr}
<form method="post" action="/account/app" novalidate>
  ${csrfField(ctx)}
  ${asks.password
    ? html`<p>${t('app.confirmFirst')}</p>
  ${asks.passkeyOnly ? null : inputField({ name: 'password', label: t('field.currentPassword'), type: 'password', autocomplete: 'current-password', errors: options.errors, required: true })}
  ${asks.code && !asks.passkeyOnly ? inputField({ name: 'code', label: t('field.code'), autocomplete: 'one-time-code', inputMode: 'numeric', errors: options.errors, required: true }) : null}
  ${passkeyStepUpOption(ctx, asks, options.errors)}`
    : null}
  <button type="submit">${options.qr ? t('app.newQr') : t('app.showQr')}</button>
</form>
${smsCodeButton(ctx, asks.codeMethod, '/account/app')}
<p><a href="/account/devices">${t('devices.title')}</a></p>`;
  return { status: options.errors ? 400 : 200, html: renderPage(ctx, { title: t('app.title'), body, errors: options.errors, notice: smsNotice(ctx, page.query), passkeyScript: asks.passkey }) };
}

export const showApp: PageHandler = async (page) => appPage(page);

export const submitApp: PageHandler = async (page) => {
  const { ctx, deps, reply } = page;
  const login = await showAppQrCode(deps, ctx.org, ctx.client, target(page), stepUpProofsOf(page.body));
  if (!login.ok) return appPage(page, { errors: stepUpErrors(ctx, login) });
  // Drawn at three times the size it is shown: sharp on a phone's dense screen.
  const image = await QRCode.toDataURL(login.url, { errorCorrectionLevel: 'M', margin: 2, width: 780 });
  return appPage(page, { qr: { image, expiresAt: login.expiresAt } });
};

/** Someone scanned the app's QR code with a camera: the token is in the fragment and never reaches us. */
export const showAppLoginInfo: PageHandler = async ({ ctx }) => {
  const body = html`<p>${ctx.t('app.scanned.text')}</p><p><a href="/help#qr-not-working">${ctx.t('nav.help')}</a></p>`;
  return { html: renderPage(ctx, { title: ctx.t('app.scanned.title'), body }) };
};

export const showDevices: PageHandler = async (page) => {
  const { ctx, deps } = page;
  const t = ctx.t;
  const { devices, browsers } = await listAccountDevices(deps, ctx.org, ctx.account!);
  const applications = await applicationsOf(deps, ctx.org, ctx.account!);
  const removeButton = (action: string, label: string, name: string) =>
    html`<form method="post" action="${action}" class="inline">${csrfField(ctx)}<button type="submit" class="link">${label}<span class="visually-hidden"> ${name}</span></button></form>`;
  const row = (name: string, added: Date, used: Date, action: string) => [name, formatTime(added, ctx.locale, ctx.org.policy.timeZone), formatTime(used, ctx.locale, ctx.org.policy.timeZone), removeButton(action, t('validity.remove'), name)];
  const columns = [{ label: t('devices.name') }, { label: t('devices.added') }, { label: t('devices.lastUsed') }, { label: t('validity.remove'), hiddenLabel: true }];
  const table = (caption: string, rows: ReturnType<typeof row>[]) => (rows.length === 0 ? html`<p>${caption}: ${t('devices.none')}</p>` : stackedTable({ caption, columns, rows }));
  const body = html`${table(t('devices.apps'), devices.map((d) => row(d.name, d.createdAt, d.lastUsedAt, `/account/devices/${d.id}/remove`)))}
${table(t('devices.browsers'), browsers.map((b) => row(b.name, b.createdAt, b.lastUsedAt, `/account/2fa/trusted/${b.id}/remove`)))}
${applications.length === 0
    ? html`<p>${t('devices.applications')}: ${t('devices.none')}</p>`
    : stackedTable({
        caption: t('devices.applications'),
        columns: [{ label: t('devices.name') }, { label: t('devices.added') }, { label: t('devices.revoke'), hiddenLabel: true }],
        rows: applications.map((a) => [a.name, formatTime(a.since, ctx.locale, ctx.org.policy.timeZone), removeButton(`/account/applications/${a.clientId}/revoke`, t('devices.revoke'), a.name)]),
      })}
<p><a href="/account/app">${t('app.title')}</a></p>`;
  return { html: renderPage(ctx, { title: t('devices.title'), body, notice: page.query.removed === '1' ? t('devices.removed') : undefined }) };
};

/** SPEC 10: an application loses this user's grants and tokens at once. */
export const submitRevokeApplication: PageHandler = async (page) => {
  await revokeApplication(page.deps, page.ctx.org, page.ctx.client, page.ctx.account!, page.params.id ?? '');
  return { redirect: '/account/devices?removed=1' };
};

/** Removing a device ends its access tokens at once (SPEC 5). */
export const submitRemoveDevice: PageHandler = async (page) => {
  await removeOwnDevice(page.deps, page.ctx.org, page.ctx.account!, page.ctx.client, page.params.id ?? '');
  return { redirect: '/account/devices?removed=1' };
};

/**
 * SPEC 4.7, issue 12 stumble 1: the user's own security events, newest first, each as a sentence
 * in their language with the device and address where known, so a stranger stands out.
 */
export const showActivity: PageHandler = async (page) => {
  const { ctx, deps } = page;
  const t = ctx.t;
  const entries = await describeOwnActivity(deps, ctx.org, ctx.account!);
  const sentence = (entry: (typeof entries)[number]) => {
    const known = entry.passwordWithoutCode
      ? t('activity.passwordWithoutCode')
      : Object.prototype.hasOwnProperty.call(eventTexts, entry.event)
        ? eventTexts[entry.event as keyof typeof eventTexts].you[ctx.locale]
        : entry.event;
    // The app's device name is whoever linked it's choice: no `$` pattern, no control or direction character in the sentence.
    const device = entry.device === null ? t('activity.unknownDevice') : entry.device.replace(/[\p{Cc}\p{Cf}]/gu, '').slice(0, 100);
    return known.split('{device}').join(device);
  };
  const body = entries.length === 0
    ? html`<p>${t('audit.none')}</p>`
    : html`<h2 class="visually-hidden">${t('activity.caption')}</h2>
<ol class="activity">${entries.map(
        (entry) => html`<li class="activity-entry${entry.outcome === 'failure' || entry.passwordWithoutCode ? ' activity-entry--failed' : ''}">
  <p class="activity-what">${sentence(entry)}${entry.byStaff ? html` (${t('activity.byStaff')})` : null}</p>
  <p class="activity-when"><time datetime="${entry.at.toISOString()}">${formatTime(entry.at, ctx.locale, ctx.org.policy.timeZone)}</time>${entry.ip && !entry.byStaff ? html`<span class="activity-place"> · ${t('activity.from', { ip: entry.ip })}</span>` : null}</p>
</li>`,
      )}</ol>
<p>${t('activity.notYou')} <a href="/help">${t('nav.help')}</a></p>`;
  return { html: renderPage(ctx, { title: t('activity.title'), body }) };
};
