import type { EmailTemplate } from './email-templates.js';

export type TemplateKind = EmailTemplate['kind'];
export type TemplateOf<K extends TemplateKind> = Extract<EmailTemplate, { kind: K }>;

/** A button-like link in the HTML, a labelled URL line in the plain text. */
export interface EmailAction {
  label: string;
  url: string;
}

/**
 * One message as plain-text paragraphs; the renderer turns it into text and HTML, so the
 * wording exists once per locale and every value is escaped in one place.
 */
export interface EmailContent {
  subject: string;
  greeting: string;
  intro: string[];
  actions: EmailAction[];
  outro: string[];
}

/** Everything a locale must say; `Record<Locale, EmailTexts>` makes the compiler check both. */
export interface EmailTexts {
  messages: { [K in TemplateKind]: (template: TemplateOf<K>, orgName: string) => EmailContent };
  copyLinkHint: string;
  helpdesk(orgName: string, contact: string): string;
  signOff(orgName: string): string;
}
