import QRCode from 'qrcode';
import { normalizeEmail } from '../../accounts/email.js';
import { listAuditEvents, recordAudit } from '../../audit/audit.js';
import { html } from '../../core/html.js';
import { findFactorInForce } from '../../factors/second-factor/store.js';
import { listTrustedBrowsers } from '../../factors/trusted-browser/store.js';
import { listDevices, removeDevice } from '../../flows/app-devices.js';
import { issueQrLogin } from '../../flows/app-login.js';
import { attemptPassword } from '../../flows/password-attempt.js';
import { checkSecondFactor } from '../../flows/second-factor-check.js';
import { hasFreshProof } from '../../sessions/next-step.js';
import { rotateSession } from '../../sessions/sessions.js';
import { setSessionCookie } from '../context.js';
import { inputField } from '../fields.js';
import { field } from '../form-body.js';
import { csrfField, renderPage, type FormErrors } from '../layout.js';
import type { PageHandler, PageRequest, PageResult } from '../page.js';
import { codeErrorText, smsCodeButton, smsNotice } from './second-factor-login.js';
import { formatTime } from '../format.js';


/** SPEC 4.7: the QR code only after a password or code check at most 10 minutes old. */
function proofIsFresh(page: PageRequest): boolean {
  const now = page.deps.clock.now();
  return hasFreshProof(page.ctx.session!, now, 'password') || hasFreshProof(page.ctx.session!, now, 'code');
}

async function appPage(page: PageRequest, options: { qr?: { image: string; expiresAt: Date }; errors?: FormErrors } = {}): Promise<PageResult> {
  const { ctx, deps } = page;
  const t = ctx.t;
  const fresh = proofIsFresh(page);
  const factor = await findFactorInForce(deps.db, ctx.org, ctx.account!);
  const hasFactor = factor !== null;
  const qr = options.qr
    ? html`<div class="app-qr" role="status">
  <img class="qr" src="${options.qr.image}" width="260" height="260" alt="${t('app.qrAlt')}">
  <p>${t('app.expires', { time: formatTime(options.qr.expiresAt, ctx.locale) })}</p>
</div>`
    : null;
  const body = html`<p>${t('app.intro')}</p>
${qr}
<form method="post" action="/account/app" novalidate>
  ${csrfField(ctx)}
  ${fresh
    ? null
    : html`<p>${t('app.confirmFirst')}</p>
  ${inputField({ name: 'password', label: t('field.currentPassword'), type: 'password', autocomplete: 'current-password', errors: options.errors, required: true })}
  ${hasFactor ? inputField({ name: 'code', label: t('field.code'), autocomplete: 'one-time-code', inputMode: 'numeric', errors: options.errors, required: true }) : null}`}
  <button type="submit">${options.qr ? t('app.newQr') : t('app.showQr')}</button>
</form>
${fresh ? null : smsCodeButton(ctx, factor, '/account/app')}
<p><a href="/account/devices">${t('devices.title')}</a></p>`;
  return { status: options.errors ? 400 : 200, html: renderPage(ctx, { title: t('app.title'), body, errors: options.errors, notice: smsNotice(ctx, page.query) }) };
}

export const showApp: PageHandler = async (page) => appPage(page);

export const submitApp: PageHandler = async (page) => {
  const { ctx, deps, reply } = page;
  const account = ctx.account!;
  if (!proofIsFresh(page)) {
    const attempt = await attemptPassword(deps, ctx.org, ctx.client, account, normalizeEmail(account.email), field(page.body, 'password'));
    if (!attempt.ok) return appPage(page, { errors: { password: ctx.t('password.error.current') } });
    const hasFactor = (await findFactorInForce(deps.db, ctx.org, account)) !== null;
    if (hasFactor) {
      const check = await checkSecondFactor(deps, ctx.org, account, ctx.session!.id, ctx.client, { code: field(page.body, 'code') }, 'confirm');
      if (!check.ok) return appPage(page, { errors: { code: codeErrorText(ctx, check) } });
    }
    const rotated = await rotateSession(deps.db, deps, ctx.session!, { kind: 'step_up', password: true, code: hasFactor });
    if (rotated) {
      setSessionCookie(reply, deps, rotated.cookieValue);
      ctx.session = rotated.session;
    }
  }
  const login = await issueQrLogin(deps, ctx.org, account, ctx.client);
  const image = await QRCode.toDataURL(login.url, { errorCorrectionLevel: 'M', margin: 2, width: 260 });
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
  const account = ctx.account!;
  const devices = await listDevices(deps.db, ctx.org.tenantId, account.id);
  const browsers = await listTrustedBrowsers(deps.db, ctx.org.tenantId, account.id, deps.clock.now());
  const row = (name: string, added: Date, used: Date, action: string) =>
    html`<tr><td>${name}</td><td>${formatTime(added, ctx.locale)}</td><td>${formatTime(used, ctx.locale)}</td>
<td><form method="post" action="${action}" class="inline">${csrfField(ctx)}<button type="submit" class="link">${t('validity.remove')}<span class="visually-hidden"> ${name}</span></button></form></td></tr>`;
  const table = (caption: string, rows: ReturnType<typeof row>[]) =>
    rows.length === 0
      ? html`<p>${caption}: ${t('devices.none')}</p>`
      : html`<table><caption>${caption}</caption>
<thead><tr><th scope="col">${t('devices.name')}</th><th scope="col">${t('devices.added')}</th><th scope="col">${t('devices.lastUsed')}</th><th scope="col"><span class="visually-hidden">${t('validity.remove')}</span></th></tr></thead>
<tbody>${rows}</tbody></table>`;
  const body = html`${table(t('devices.apps'), devices.map((d) => row(d.name, d.createdAt, d.lastUsedAt, `/account/devices/${d.id}/remove`)))}
${table(t('devices.browsers'), browsers.map((b) => row(b.name, b.createdAt, b.lastUsedAt, `/account/2fa/trusted/${b.id}/remove`)))}
<p><a href="/account/app">${t('app.title')}</a></p>`;
  return { html: renderPage(ctx, { title: t('devices.title'), body, notice: page.query.removed === '1' ? t('devices.removed') : undefined }) };
};

/** Removing a device ends its access tokens at once (SPEC 5). */
export const submitRemoveDevice: PageHandler = async (page) => {
  const { ctx, deps } = page;
  const account = ctx.account!;
  const devices = await listDevices(deps.db, ctx.org.tenantId, account.id);
  const device = devices.find((d) => d.id === page.params.id);
  if (device && (await removeDevice(deps.db, ctx.org.tenantId, device.id, 'removed_by_user', deps.clock.now()))) {
    await recordAudit(deps.db, deps.clock.now(), ctx.client, { tenantId: ctx.org.tenantId, event: 'app_device_removed', outcome: 'success', actorAccountId: account.id, subjectAccountId: account.id, details: { deviceId: device.id, reason: 'removed_by_user' } });
  }
  return { redirect: '/account/devices?removed=1' };
};

/** SPEC 4.7: the user's own security events, newest first. */
export const showActivity: PageHandler = async (page) => {
  const { ctx, deps } = page;
  const t = ctx.t;
  const me = ctx.account!.id;
  const events = await listAuditEvents(deps.db, { tenantId: ctx.org.tenantId, subjectAccountId: me, limit: 100 });
  const body = events.length === 0
    ? html`<p>${t('audit.none')}</p>`
    : html`<div class="table-scroll" tabindex="0" role="region" aria-label="${t('activity.title')}"><table>
<caption>${t('activity.caption')}</caption>
<thead><tr><th scope="col">${t('devices.when')}</th><th scope="col">${t('audit.event')}</th><th scope="col">${t('audit.outcome')}</th><th scope="col">IP</th></tr></thead>
<tbody>${events.map(
    (e) =>
      html`<tr><td>${formatTime(e.occurredAt, ctx.locale)}</td><td>${e.event.replace(/_/g, ' ')}</td><td>${e.outcome === 'success' ? t('activity.success') : t('activity.failure')}</td><td>${e.actorAccountId === null || e.actorAccountId === me ? (e.ip ?? '') : t('activity.byStaff')}</td></tr>`,
  )}</tbody>
</table></div>
<p>${t('activity.notYou')} <a href="/help">${t('nav.help')}</a></p>`;
  return { html: renderPage(ctx, { title: t('activity.title'), body }) };
};

