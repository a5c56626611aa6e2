import { flattenToOneLine } from './one-line.js';

export type SmsLocale = 'nl' | 'en';
export type SmsCodePurpose = 'login' | 'setup' | 'confirm';

/** One SMS segment in the GSM 03.38 alphabet; a longer text costs two messages and may arrive split. */
const maxSmsLength = 160;

/**
 * The code is in the first sentence, so a phone's notification shows it without opening the message.
 * The wording uses only GSM 03.38 characters; a non-GSM character in the org name still
 * sends, as UCS-2 in more segments.
 */
const texts: Record<SmsLocale, { lead: Record<SmsCodePurpose, (org: string, code: string) => string>; rest: string }> = {
  nl: {
    lead: {
      login: (org, code) => `Je inlogcode voor ${org} is ${code}.`,
      setup: (org, code) => `Je code om tweestapsverificatie in te stellen bij ${org} is ${code}.`,
      confirm: (org, code) => `Je bevestigingscode voor ${org} is ${code}.`,
    },
    rest: 'Deze code is 5 minuten geldig. Deel hem met niemand.',
  },
  en: {
    lead: {
      login: (org, code) => `Your login code for ${org} is ${code}.`,
      setup: (org, code) => `Your code to set up two-step verification for ${org} is ${code}.`,
      confirm: (org, code) => `Your confirmation code for ${org} is ${code}.`,
    },
    rest: 'This code is valid for 5 minutes. Never share it with anyone.',
  },
};

/**
 * The SMS that carries a one-time code (SPEC 4.5: valid 5 minutes). The org name is user input:
 * it becomes one line, and a name too long for one segment is shortened rather than the warning.
 * Throws on a code that is not 4 to 10 digits: codes come from our own code, so that is a bug.
 */
export function renderSmsCode(locale: SmsLocale, orgName: string, code: string, purpose: SmsCodePurpose): string {
  if (!/^\d{4,10}$/.test(code)) throw new Error('SMS code must be 4 to 10 digits');
  const text = texts[locale];
  const compose = (org: string) => `${text.lead[purpose](org, code)} ${text.rest}`;
  const org = flattenToOneLine(orgName);
  const room = maxSmsLength - [...compose('')].length;
  return compose(shorten(org, room));
}

/** Cuts by code point, so an emoji or accented letter is never split in half. */
function shorten(text: string, maxLength: number): string {
  const characters = [...text];
  if (characters.length <= maxLength) return text;
  return `${characters.slice(0, Math.max(maxLength - 3, 1)).join('').trimEnd()}...`;
}
