import { html, type SafeHtml } from '../core/html.js';
import type { EmailAction, EmailContent, EmailTexts } from './email-content.js';
import { enTexts } from './email-texts-en.js';
import { nlTexts } from './email-texts-nl.js';
import { flattenToOneLine } from './one-line.js';
import { defaultBrandColor } from '../tenants/brand-color.js';

export type Locale = 'nl' | 'en';

export interface OrgBranding {
  name: string;
  /** Free text, may span lines; left out of the mail when empty. */
  helpdeskContact: string;
  /** Its checked colour (`#rrggbb`, 4.5:1 against white: the button text); Ingang's where it chose none. */
  color?: string | null;
  /** Where its logo is served (an absolute http(s) URL); the name stands beside it in words. */
  logoUrl?: string | null;
}

export type EmailTemplate =
  /** Staff created the account: set your password. */
  | { kind: 'welcome'; name: string; link: string; validHours: number }
  /**
   * Self-registration: confirm and set your password. No name: until the address is confirmed, a
   * mail to it carries nothing the requester typed (SECURITY 38), so the form is no relay.
   */
  | { kind: 'registration'; link: string; validHours: number }
  /** Someone tried to register with an address that already has an account (SPEC 4.2). */
  | { kind: 'already_registered'; loginLink: string; resetLink: string }
  | { kind: 'password_reset'; name: string; link: string; validMinutes: number }
  /** Your password was changed; if that was not you, contact the helpdesk (SPEC 4.4). */
  | { kind: 'password_changed'; name: string; helpLink: string; passkeys?: string[]; passkeysLink?: string }
  /** Two-step verification was turned on, or `replaced` another method or number; if that was not you, contact the helpdesk (SPEC 4.5). */
  | { kind: 'two_factor_enabled'; name: string; method: 'totp' | 'sms'; replaced: boolean; helpLink: string }
  /** Two-step verification was turned off; if that was not you, contact the helpdesk right away. */
  | { kind: 'two_factor_disabled'; name: string; helpLink: string }
  /** Lost phone: staff removed the second factor, recovery codes, trusted browsers and sessions (SPEC 4.5). */
  | { kind: 'two_factor_reset_by_staff'; name: string; helpLink: string }
  /** New recovery codes were made; the old set no longer works. */
  | { kind: 'recovery_codes_regenerated'; name: string; helpLink: string }
  /** A recovery code was used to log in; `remaining` codes are left (SPEC 4.5). */
  | { kind: 'recovery_code_used'; name: string; remaining: number; helpLink: string }
  /** The app on a device was linked to the account; if that was not you, remove it and contact the helpdesk (SPEC 4.7). */
  | { kind: 'app_device_added'; name: string; deviceName: string; devicesLink: string; helpLink: string }
  /** A passkey was added to the account; if that was not you, remove it and contact the helpdesk (SPEC 11). */
  | { kind: 'passkey_added'; name: string; passkeyName: string; passkeysLink: string; helpLink: string }
  /** To every admin: an admin made the organization's policy less strict (SPEC 6, SECURITY 40). */
  | { kind: 'policy_weakened'; name: string; changedBy: string; changes: PolicyChangeLine[]; policyLink: string };

/** One changed policy value, as the mail lists it: the key (the mail names it in its language), before and after. */
export interface PolicyChangeLine {
  key: string;
  from: string;
  to: string;
}

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

const texts: Record<Locale, EmailTexts> = { nl: nlTexts, en: enTexts };

/**
 * Renders one message in one language. Names, the org name and the contact text are user input:
 * the HTML escapes them (through `html`), and the subject never carries a line break.
 * Throws on a link that is not http(s): links come from our own code, so that is a bug.
 */
export function renderEmail(template: EmailTemplate, locale: Locale, org: OrgBranding): RenderedEmail {
  const localeTexts = texts[locale];
  const orgName = flattenToOneLine(org.name);
  const content = composeContent(localeTexts, flattenName(template), orgName);
  content.actions.forEach((action) => assertWebLink(action.url));
  const subject = flattenToOneLine(content.subject);
  const footer = composeFooter(localeTexts, orgName, org.helpdeskContact);
  return {
    subject,
    text: renderText(content, footer),
    html: renderHtml({ ...content, subject }, footer, locale, localeTexts.copyLinkHint, brandOf(org, orgName)),
  };
}

function composeContent(localeTexts: EmailTexts, template: EmailTemplate, orgName: string): EmailContent {
  const messages = localeTexts.messages;
  switch (template.kind) {
    case 'welcome':
      return messages.welcome(template, orgName);
    case 'registration':
      return messages.registration(template, orgName);
    case 'already_registered':
      return messages.already_registered(template, orgName);
    case 'password_reset':
      return messages.password_reset(template, orgName);
    case 'password_changed':
      return messages.password_changed(template, orgName);
    case 'two_factor_enabled':
      return messages.two_factor_enabled(template, orgName);
    case 'two_factor_disabled':
      return messages.two_factor_disabled(template, orgName);
    case 'two_factor_reset_by_staff':
      return messages.two_factor_reset_by_staff(template, orgName);
    case 'recovery_codes_regenerated':
      return messages.recovery_codes_regenerated(template, orgName);
    case 'recovery_code_used':
      return messages.recovery_code_used(template, orgName);
    case 'app_device_added':
      return messages.app_device_added(template, orgName);
    case 'passkey_added':
      return messages.passkey_added(template, orgName);
    case 'policy_weakened':
      return messages.policy_weakened(template, orgName);
  }
}

/** A name is one line: a line break in it could forge lines of the message around it. */
function flattenName(template: EmailTemplate): EmailTemplate {
  const named = 'name' in template ? { ...template, name: flattenToOneLine(template.name) } : template;
  const flattened = named.kind === 'policy_weakened' ? { ...named, changedBy: flattenToOneLine(named.changedBy) } : named;
  if (flattened.kind === 'passkey_added') return { ...flattened, passkeyName: shortenDeviceName(flattened.passkeyName) };
  if (flattened.kind === 'password_changed' && flattened.passkeys) return { ...flattened, passkeys: flattened.passkeys.map(shortenDeviceName) };
  return flattened.kind === 'app_device_added' ? { ...flattened, deviceName: shortenDeviceName(flattened.deviceName) } : flattened;
}

export const maxDeviceNameLength = 100;

/**
 * The app chose the device name (the user the passkey's), so whoever linked it chose it: one line, and no longer
 * than `maxDeviceNameLength` characters (whole code points), so it cannot pass for the mail's own text.
 */
function shortenDeviceName(deviceName: string): string {
  const characters = [...flattenToOneLine(deviceName)];
  return characters.length > maxDeviceNameLength ? `${characters.slice(0, maxDeviceNameLength - 1).join('')}…` : characters.join('');
}

function composeFooter(localeTexts: EmailTexts, orgName: string, helpdeskContact: string): string[] {
  const contact = normalizeContact(helpdeskContact);
  const signOff = localeTexts.signOff(orgName);
  return contact === '' ? [signOff] : [localeTexts.helpdesk(orgName, contact), signOff];
}

/** Contact text may span lines (phone, hours, address); keep the breaks, drop other control characters. */
function normalizeContact(contact: string): string {
  return contact
    .split(/\r\n|[\r\n\u2028\u2029\u0085]/)
    .map(flattenToOneLine)
    .filter((line) => line !== '')
    .join('\n');
}

function assertWebLink(url: string): void {
  const protocol = URL.canParse(url) ? new URL(url).protocol : '';
  if (protocol !== 'https:' && protocol !== 'http:') throw new Error(`e-mail link is not an http(s) URL`);
}

function renderText(content: EmailContent, footer: string[]): string {
  const blocks = [
    content.greeting,
    ...content.intro,
    ...content.actions.map((action) => `${action.label}:\n${action.url}`),
    ...content.outro,
    ...footer,
  ];
  return `${blocks.join('\n\n')}\n`;
}

interface MailBrand {
  name: string;
  color: string;
  logoUrl: string | null;
}

function brandOf(org: OrgBranding, orgName: string): MailBrand {
  const color = org.color && /^#[0-9a-f]{6}$/.test(org.color) ? org.color : defaultBrandColor;
  if (org.logoUrl) assertWebLink(org.logoUrl);
  return { name: orgName, color, logoUrl: org.logoUrl ?? null };
}

/** The same header band as the pages: the logo and the name, over a line in the organization's colour. */
function renderBrandHeader(brand: MailBrand): SafeHtml {
  return html`<div style="padding:0 0 12px;margin:0 0 24px;border-bottom:6px solid ${brand.color}">
${brand.logoUrl ? html`<img src="${brand.logoUrl}" alt="" height="48" style="height:48px;width:auto;vertical-align:middle;margin-right:12px;border:0">` : null}<span style="font-size:20px;font-weight:bold;vertical-align:middle">${brand.name}</span>
</div>
`;
}

function renderHtml(content: EmailContent, footer: string[], locale: Locale, copyLinkHint: string, brand: MailBrand): string {
  return html`<!DOCTYPE html>
<html lang="${locale}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${content.subject}</title>
</head>
<body style="margin:0;padding:16px;background:#ffffff;color:#1a1a1a;font-family:Arial,Helvetica,sans-serif;font-size:16px;line-height:1.5">
<div style="max-width:600px;margin:0 auto">
${renderBrandHeader(brand)}
${renderParagraph(content.greeting)}
${content.intro.map(renderParagraph)}
${content.actions.map((action) => renderAction(action, copyLinkHint, brand.color))}
${content.outro.map(renderParagraph)}
${footer.map(renderParagraph)}
</div>
</body>
</html>
`.value;
}

function renderParagraph(text: string): SafeHtml {
  const lines = text.split('\n').map((line, i) => (i === 0 ? line : html`<br>${line}`));
  return html`<p style="margin:0 0 16px">${lines}</p>\n`;
}

/** The URL is also shown as text, so it can be checked and copied when the button does not work. */
function renderAction(action: EmailAction, copyLinkHint: string, color: string): SafeHtml {
  return html`<p style="margin:24px 0 8px"><a href="${action.url}" style="display:inline-block;padding:12px 20px;background:${color};color:#ffffff;font-weight:bold;text-decoration:underline;border-radius:4px">${action.label}</a></p>
<p style="margin:0 0 24px;font-size:14px;word-break:break-all">${copyLinkHint}<br>${action.url}</p>\n`;
}
