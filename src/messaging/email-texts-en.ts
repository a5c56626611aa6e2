import type { EmailTexts } from './email-content.js';

/** "7 days", "1 hour", "30 minutes": the largest whole unit reads easiest. */
function describeMinutes(minutes: number): string {
  const plural = (count: number, unit: string) => (count === 1 ? `1 ${unit}` : `${count} ${unit}s`);
  if (minutes % (24 * 60) === 0) return plural(minutes / (24 * 60), 'day');
  if (minutes % 60 === 0) return plural(minutes / 60, 'hour');
  return plural(minutes, 'minute');
}

function describeLinkValidity(minutes: number): string {
  return `The link is valid for ${describeMinutes(minutes)} and works only once.`;
}

export const enTexts: EmailTexts = {
  messages: {
    welcome: (t, org) => ({
      subject: `Welcome to ${org}: set your password`,
      greeting: `Hello ${t.name},`,
      intro: [`${org} has created an account for you. First choose a password. Then you can log in.`],
      actions: [{ label: 'Set your password', url: t.link }],
      outro: [
        describeLinkValidity(t.validHours * 60),
        'Has the link expired? Open it anyway. You can ask for a new link there.',
        `Did you not expect this e-mail? Then do not use the link, and contact ${org}.`,
      ],
    }),
    registration: (t, org) => ({
      subject: `Confirm your registration with ${org}`,
      greeting: `Hello ${t.name},`,
      intro: [`You signed up with ${org}. Confirm your registration and choose a password. Then you can log in.`],
      actions: [{ label: 'Confirm registration', url: t.link }],
      outro: [
        describeLinkValidity(t.validHours * 60),
        'Did you not sign up? Then you can ignore this e-mail. Without your confirmation, no account becomes active.',
      ],
    }),
    already_registered: (t, org) => ({
      subject: `You already have an account with ${org}`,
      greeting: 'Hello,',
      intro: [
        `Someone tried to sign up with ${org} using this e-mail address. There already is an account with this address, so we did not create a new one.`,
        'Do you want to log in? Use your existing account. Forgot your password? Then you can set a new one.',
      ],
      actions: [
        { label: 'Log in', url: t.loginLink },
        { label: 'Forgot password', url: t.resetLink },
      ],
      outro: ['Did you not try to sign up? Then you can ignore this e-mail. Nothing changes in your account.'],
    }),
    password_reset: (t, org) => ({
      subject: `Set a new password for ${org}`,
      greeting: `Hello ${t.name},`,
      intro: [`You asked for a new password for your account with ${org}. Choose your new password with this link.`],
      actions: [{ label: 'Choose a new password', url: t.link }],
      outro: [
        describeLinkValidity(t.validMinutes),
        'Did you ask for a link more than once? Then use the newest link.',
        'Did you not ask for this? Then you can ignore this e-mail. Your password stays the same.',
      ],
    }),
    password_changed: (t, org) => ({
      subject: `Your password for ${org} was changed`,
      greeting: `Hello ${t.name},`,
      intro: [`The password of your account with ${org} was just changed. Did you do this yourself? Then you do not need to do anything.`],
      actions: [{ label: 'Help with logging in', url: t.helpLink }],
      outro: [
        `Did you not do this yourself? Then contact the ${org} helpdesk right away. Someone else may be able to get into your account.`,
      ],
    }),
  },
  copyLinkHint: 'Does the button not work? Then copy this link into your browser:',
  helpdesk: (org, contact) => `Questions? Contact the ${org} helpdesk:\n${contact}`,
  signOff: (org) => `Kind regards,\n${org}`,
};
