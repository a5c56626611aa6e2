import type { EmailTexts } from './email-content.js';
import type { PolicyKey } from '../tenants/policy.js';

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

const notYouWarning = (org: string) =>
  `Did you not do this yourself? Then contact the ${org} helpdesk right away. Someone else may be able to get into your account.`;

const methodSentences = {
  totp: 'with an authenticator app. From now on you log in with your password and a code from the app.',
  sms: 'with text messages (SMS). From now on you log in with your password and a code that we send to your phone.',
} as const;

/** Spec 4.5: using a recovery code shows how many are left; with 0 or 1 left, make new ones now. */
function describeRemainingCodes(remaining: number): string {
  const count = remaining === 1 ? 'You have 1 recovery code left.' : `You have ${remaining} recovery codes left.`;
  if (remaining > 1) return count;
  return `${count} Make new recovery codes soon in your account settings. Then you can still log in if you lose your phone.`;
}

/** The policy keys as an admin reads them (SPEC 1). */
const policyLabels: Record<PolicyKey, string> = {
  selfRegistration: 'Self-registration',
  twoFactorClients: 'Two-step verification for clients',
  twoFactorStaff: 'Two-step verification for staff',
  twoFactorMethods: 'Methods for two-step verification',
  passwordMinLength: 'Minimum password length',
  passwordRequireSpecial: 'Password needs a special character',
  passwordMinGuessesLog10: 'Least guesses a password must take (power of 10)',
  idleMinutes: 'Minutes of inactivity before a new check',
  absoluteHours: 'Hours a web session lasts at most',
  maxCodeValidityDays: 'Days a code may stay valid on a browser',
  welcomeLinkHours: 'Hours a welcome link is valid',
  resetLinkMinutes: 'Minutes a reset link is valid',
  smsCountries: 'Countries whose mobile numbers may receive codes',
  smsDailyLimit: 'Most SMS messages a day',
  passkeysRequiredForStaff: 'Staff must use a passkey as their second step',
  timeZone: 'Time zone in which times are shown',
};

export const enTexts: EmailTexts = {
  messages: {
    policy_weakened: (t, org) => ({
      subject: `The security policy of ${org} was made less strict`,
      greeting: `Hello ${t.name},`,
      intro: [
        `${t.changedBy} just changed the security policy of ${org}. These changes make it less strict:`,
        t.changes.map((c) => `${policyLabels[c.key as PolicyKey] ?? c.key}: ${c.from} → ${c.to}`).join('\n'),
        'You get this message because you are an administrator. If the change was agreed, you do not need to do anything.',
      ],
      actions: [{ label: 'The policy and its changes', url: t.policyLink }],
      outro: [`Was this not agreed? Set the policy back and find out who made the change: an administrator's account of ${org} may be in the wrong hands.`],
    }),
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
      greeting: 'Hello,',
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
      intro: [
        `The password of your account with ${org} was just changed. Did you do this yourself? Then you do not need to do anything.`,
        // SPEC 11: a reset keeps the passkeys; the mail names them, so one that is not yours stands out.
        ...(t.passkeys && t.passkeys.length > 0 ? [`Your passkeys still work: ${t.passkeys.map((name) => `"${name}"`).join(', ')}. Is one of them not yours? Then remove it under Your passkeys.`] : []),
      ],
      actions: [...(t.passkeys && t.passkeys.length > 0 && t.passkeysLink ? [{ label: 'Your passkeys', url: t.passkeysLink }] : []), { label: 'Help with logging in', url: t.helpLink }],
      outro: [notYouWarning(org)],
    }),
    two_factor_enabled: (t, org) => ({
      subject: t.replaced ? `Two-step verification was changed for your account with ${org}` : `Two-step verification is on for your account with ${org}`,
      greeting: `Hello ${t.name},`,
      intro: [
        t.replaced
          ? `Two-step verification for your account with ${org} was just changed; it now works ${methodSentences[t.method]} The earlier app or phone number no longer works.`
          : `Two-step verification was just turned on for your account with ${org}, ${methodSentences[t.method]}`,
        'Did you do this yourself? Then you do not need to do anything.',
      ],
      actions: [{ label: 'Help with logging in', url: t.helpLink }],
      outro: [notYouWarning(org)],
    }),
    two_factor_disabled: (t, org) => ({
      subject: `Two-step verification is off for your account with ${org}`,
      greeting: `Hello ${t.name},`,
      intro: [
        `Two-step verification was just turned off for your account with ${org}. From now on you log in with only your password.`,
        'Did you do this yourself? Then you do not need to do anything. You can turn it on again at any time in your account settings.',
      ],
      actions: [{ label: 'Help with logging in', url: t.helpLink }],
      outro: [notYouWarning(org)],
    }),
    two_factor_reset_by_staff: (t, org) => ({
      subject: `Your two-step verification for ${org} was reset`,
      greeting: `Hello ${t.name},`,
      intro: [
        `A staff member of ${org} has reset the two-step verification of your account. Your app or phone number for login codes, your recovery codes, your passkeys and your trusted browsers were removed. You were also logged out everywhere.`,
        'The next time you log in, you may be asked to set up two-step verification again.',
      ],
      actions: [{ label: 'Help with logging in', url: t.helpLink }],
      outro: [`Did you not ask for this? Then contact the ${org} helpdesk right away.`],
    }),
    recovery_codes_regenerated: (t, org) => ({
      subject: `New recovery codes for your account with ${org}`,
      greeting: `Hello ${t.name},`,
      intro: [
        `New recovery codes were just made for your account with ${org}. Your old recovery codes no longer work.`,
        'Did you do this yourself? Then keep the new codes in a safe place. You do not need to do anything else.',
      ],
      actions: [{ label: 'Help with logging in', url: t.helpLink }],
      outro: [notYouWarning(org)],
    }),
    recovery_code_used: (t, org) => ({
      subject: `A recovery code was used for your account with ${org}`,
      greeting: `Hello ${t.name},`,
      intro: [
        `A recovery code was just used to log in to your account with ${org}. Each recovery code works only once.`,
        describeRemainingCodes(t.remaining),
      ],
      actions: [{ label: 'Help with logging in', url: t.helpLink }],
      outro: [notYouWarning(org)],
    }),
    app_device_added: (t, org) => ({
      subject: `The app was linked to your account with ${org}`,
      greeting: `Hello ${t.name},`,
      intro: [
        `The app on the device "${t.deviceName}" was just linked to your account with ${org}. From now on you can log in on that device with its PIN.`,
        'Did you do this yourself? Then you do not need to do anything.',
      ],
      actions: [
        { label: 'Your devices', url: t.devicesLink },
        { label: 'Help with logging in', url: t.helpLink },
      ],
      outro: [
        `Did you not do this yourself? Then remove the device right away under Your devices, and contact the ${org} helpdesk. Someone else may be able to get into your account.`,
      ],
    }),
    passkey_added: (t, org) => ({
      subject: `A passkey was added to your account with ${org}`,
      greeting: `Hello ${t.name},`,
      intro: [
        `The passkey "${t.passkeyName}" was just added to your account with ${org}. With it you can log in without a password, with the fingerprint, face or PIN of your device.`,
        'Did you do this yourself? Then you do not need to do anything.',
      ],
      actions: [
        { label: 'Your passkeys', url: t.passkeysLink },
        { label: 'Help with logging in', url: t.helpLink },
      ],
      outro: [`Did you not do this yourself? Then remove the passkey right away under Your passkeys, and contact the ${org} helpdesk. Someone else may be able to get into your account.`],
    }),
  },
  copyLinkHint: 'Does the button not work? Then copy this link into your browser:',
  helpdesk: (org, contact) => `Questions? Contact the ${org} helpdesk:\n${contact}`,
  signOff: (org) => `Kind regards,\n${org}`,
};
