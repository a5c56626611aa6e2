import type { EmailTexts } from './email-content.js';
import type { PolicyKey } from '../tenants/policy.js';

/** "7 dagen", "1 uur", "30 minuten": the largest whole unit reads easiest. */
function describeMinutes(minutes: number): string {
  if (minutes % (24 * 60) === 0) {
    const days = minutes / (24 * 60);
    return days === 1 ? '1 dag' : `${days} dagen`;
  }
  if (minutes % 60 === 0) return `${minutes / 60} uur`;
  return minutes === 1 ? '1 minuut' : `${minutes} minuten`;
}

function describeLinkValidity(minutes: number): string {
  return `De link is ${describeMinutes(minutes)} geldig en werkt maar één keer.`;
}

const notYouWarning = (org: string) =>
  `Heb je dit niet zelf gedaan? Neem dan meteen contact op met de helpdesk van ${org}. Iemand anders kan dan in je account komen.`;

const methodSentences = {
  totp: 'met een authenticator-app. Je logt voortaan in met je wachtwoord en een code uit de app.',
  sms: 'met sms. Je logt voortaan in met je wachtwoord en een code die we per sms naar je telefoon sturen.',
} as const;

/** Spec 4.5: using a recovery code shows how many are left; with 0 or 1 left, make new ones now. */
function describeRemainingCodes(remaining: number): string {
  const count =
    remaining === 0
      ? 'Je hebt nu 0 herstelcodes over.'
      : remaining === 1
        ? 'Je hebt nu nog 1 herstelcode over.'
        : `Je hebt nu nog ${remaining} herstelcodes over.`;
  if (remaining > 1) return count;
  return `${count} Maak snel nieuwe herstelcodes aan in je accountinstellingen. Dan kun je ook inloggen als je je telefoon kwijt bent.`;
}

/** De beleidsregels zoals een beheerder ze leest (SPEC 1). */
const policyLabels: Record<PolicyKey, string> = {
  selfRegistration: 'Zelf een account aanmaken',
  twoFactorClients: 'Tweestapsverificatie voor cliënten',
  twoFactorStaff: 'Tweestapsverificatie voor medewerkers',
  twoFactorMethods: 'Methoden voor tweestapsverificatie',
  passwordMinLength: 'Minimale lengte van een wachtwoord',
  passwordRequireSpecial: 'Wachtwoord moet een bijzonder teken hebben',
  passwordMinGuessesLog10: 'Minste aantal pogingen om een wachtwoord te raden (macht van 10)',
  idleMinutes: 'Minuten zonder activiteit voor een nieuwe controle',
  absoluteHours: 'Uren dat een websessie hoogstens duurt',
  maxCodeValidityDays: 'Dagen dat een code geldig mag blijven in een browser',
  welcomeLinkHours: 'Uren dat een welkomstlink geldig is',
  resetLinkMinutes: 'Minuten dat een herstellink geldig is',
  smsCountries: 'Landen waarvan mobiele nummers codes mogen krijgen',
  smsDailyLimit: 'Meeste sms-berichten per dag',
  passkeysRequiredForStaff: 'Medewerkers moeten een passkey gebruiken als tweede stap',
  timeZone: 'Tijdzone waarin tijden worden getoond',
};

export const nlTexts: EmailTexts = {
  messages: {
    policy_weakened: (t, org) => ({
      subject: `Het beveiligingsbeleid van ${org} is minder streng gemaakt`,
      greeting: `Hallo ${t.name},`,
      intro: [
        `${t.changedBy} heeft net het beveiligingsbeleid van ${org} gewijzigd. Deze wijzigingen maken het minder streng:`,
        t.changes.map((c) => `${policyLabels[c.key as PolicyKey] ?? c.key}: ${c.from} → ${c.to}`).join('\n'),
        'Je krijgt dit bericht omdat je beheerder bent. Was de wijziging afgesproken? Dan hoef je niets te doen.',
      ],
      actions: [{ label: 'Het beleid en de wijzigingen', url: t.policyLink }],
      outro: [`Was dit niet afgesproken? Zet het beleid terug en zoek uit wie het heeft gewijzigd: het account van een beheerder van ${org} kan in verkeerde handen zijn.`],
    }),
    welcome: (t, org) => ({
      subject: `Welkom bij ${org}: stel je wachtwoord in`,
      greeting: `Hallo ${t.name},`,
      intro: [
        `${org} heeft een account voor je gemaakt. Kies eerst een wachtwoord. Daarna kun je inloggen.`,
      ],
      actions: [{ label: 'Wachtwoord instellen', url: t.link }],
      outro: [
        describeLinkValidity(t.validHours * 60),
        'Is de link verlopen? Open hem toch. Je kunt daar een nieuwe link aanvragen.',
        `Verwachtte je deze e-mail niet? Gebruik de link dan niet en neem contact op met ${org}.`,
      ],
    }),
    registration: (t, org) => ({
      subject: `Bevestig je aanmelding bij ${org}`,
      greeting: 'Hallo,',
      intro: [
        `Je hebt je aangemeld bij ${org}. Bevestig je aanmelding en kies een wachtwoord. Daarna kun je inloggen.`,
      ],
      actions: [{ label: 'Aanmelding bevestigen', url: t.link }],
      outro: [
        describeLinkValidity(t.validHours * 60),
        'Heb je je niet aangemeld? Dan kun je deze e-mail negeren. Zonder jouw bevestiging wordt er geen account actief.',
      ],
    }),
    already_registered: (t, org) => ({
      subject: `Je hebt al een account bij ${org}`,
      greeting: 'Hallo,',
      intro: [
        `Iemand wilde zich aanmelden bij ${org} met dit e-mailadres. Er is al een account met dit adres. Daarom hebben we geen nieuw account gemaakt.`,
        'Wil je inloggen? Gebruik dan je bestaande account. Ben je je wachtwoord vergeten? Dan kun je een nieuw wachtwoord instellen.',
      ],
      actions: [
        { label: 'Inloggen', url: t.loginLink },
        { label: 'Wachtwoord vergeten', url: t.resetLink },
      ],
      outro: ['Heb jij je niet aangemeld? Dan kun je deze e-mail negeren. Er verandert niets aan je account.'],
    }),
    password_reset: (t, org) => ({
      subject: `Nieuw wachtwoord instellen bij ${org}`,
      greeting: `Hallo ${t.name},`,
      intro: [`Je hebt gevraagd om een nieuw wachtwoord voor je account bij ${org}. Kies je nieuwe wachtwoord via deze link.`],
      actions: [{ label: 'Nieuw wachtwoord kiezen', url: t.link }],
      outro: [
        describeLinkValidity(t.validMinutes),
        'Heb je meer dan één keer een link gevraagd? Gebruik dan de nieuwste link.',
        'Heb je dit niet gevraagd? Dan kun je deze e-mail negeren. Je wachtwoord blijft hetzelfde.',
      ],
    }),
    password_changed: (t, org) => ({
      subject: `Je wachtwoord bij ${org} is gewijzigd`,
      greeting: `Hallo ${t.name},`,
      intro: [
        `Het wachtwoord van je account bij ${org} is net gewijzigd. Heb je dat zelf gedaan? Dan hoef je niets te doen.`,
        ...(t.passkeys && t.passkeys.length > 0 ? [`Je passkeys werken nog: ${t.passkeys.map((name) => `"${name}"`).join(', ')}. Is er een niet van jou? Verwijder die dan bij Je passkeys.`] : []),
      ],
      actions: [...(t.passkeys && t.passkeys.length > 0 && t.passkeysLink ? [{ label: 'Je passkeys', url: t.passkeysLink }] : []), { label: 'Hulp bij inloggen', url: t.helpLink }],
      outro: [notYouWarning(org)],
    }),
    two_factor_enabled: (t, org) => ({
      subject: t.replaced ? `Tweestapsverificatie is gewijzigd voor je account bij ${org}` : `Tweestapsverificatie staat aan voor je account bij ${org}`,
      greeting: `Hallo ${t.name},`,
      intro: [
        t.replaced
          ? `Tweestapsverificatie voor je account bij ${org} is net gewijzigd; die werkt nu ${methodSentences[t.method]} De eerdere app of het eerdere telefoonnummer werkt niet meer.`
          : `Tweestapsverificatie is net aangezet voor je account bij ${org}, ${methodSentences[t.method]}`,
        'Heb je dat zelf gedaan? Dan hoef je niets te doen.',
      ],
      actions: [{ label: 'Hulp bij inloggen', url: t.helpLink }],
      outro: [notYouWarning(org)],
    }),
    two_factor_disabled: (t, org) => ({
      subject: `Tweestapsverificatie staat uit voor je account bij ${org}`,
      greeting: `Hallo ${t.name},`,
      intro: [
        `Tweestapsverificatie is net uitgezet voor je account bij ${org}. Je logt voortaan in met alleen je wachtwoord.`,
        'Heb je dat zelf gedaan? Dan hoef je niets te doen. Je kunt het altijd weer aanzetten in je accountinstellingen.',
      ],
      actions: [{ label: 'Hulp bij inloggen', url: t.helpLink }],
      outro: [notYouWarning(org)],
    }),
    two_factor_reset_by_staff: (t, org) => ({
      subject: `Je tweestapsverificatie bij ${org} is gereset`,
      greeting: `Hallo ${t.name},`,
      intro: [
        `Een medewerker van ${org} heeft de tweestapsverificatie van je account gereset. Je app of telefoonnummer voor inlogcodes, je herstelcodes, je passkeys en je vertrouwde browsers zijn verwijderd. Je bent ook overal uitgelogd.`,
        'De volgende keer dat je inlogt, vragen we je misschien om tweestapsverificatie opnieuw in te stellen.',
      ],
      actions: [{ label: 'Hulp bij inloggen', url: t.helpLink }],
      outro: [`Heb je hier niet om gevraagd? Neem dan meteen contact op met de helpdesk van ${org}.`],
    }),
    recovery_codes_regenerated: (t, org) => ({
      subject: `Nieuwe herstelcodes voor je account bij ${org}`,
      greeting: `Hallo ${t.name},`,
      intro: [
        `Er zijn net nieuwe herstelcodes gemaakt voor je account bij ${org}. Je oude herstelcodes werken niet meer.`,
        'Heb je dat zelf gedaan? Bewaar de nieuwe codes dan op een veilige plek. Verder hoef je niets te doen.',
      ],
      actions: [{ label: 'Hulp bij inloggen', url: t.helpLink }],
      outro: [notYouWarning(org)],
    }),
    recovery_code_used: (t, org) => ({
      subject: `Er is een herstelcode gebruikt voor je account bij ${org}`,
      greeting: `Hallo ${t.name},`,
      intro: [
        `Er is net ingelogd op je account bij ${org} met een herstelcode. Elke herstelcode werkt maar één keer.`,
        describeRemainingCodes(t.remaining),
      ],
      actions: [{ label: 'Hulp bij inloggen', url: t.helpLink }],
      outro: [notYouWarning(org)],
    }),
    app_device_added: (t, org) => ({
      subject: `De app is gekoppeld aan je account bij ${org}`,
      greeting: `Hallo ${t.name},`,
      intro: [
        `De app op het apparaat "${t.deviceName}" is net gekoppeld aan je account bij ${org}. Je kunt voortaan op dat apparaat inloggen met de pincode.`,
        'Heb je dat zelf gedaan? Dan hoef je niets te doen.',
      ],
      actions: [
        { label: 'Je apparaten', url: t.devicesLink },
        { label: 'Hulp bij inloggen', url: t.helpLink },
      ],
      outro: [
        `Heb je dit niet zelf gedaan? Verwijder het apparaat dan meteen bij Je apparaten en neem contact op met de helpdesk van ${org}. Iemand anders kan dan in je account komen.`,
      ],
    }),
    passkey_added: (t, org) => ({
      subject: `Er is een passkey toegevoegd aan je account bij ${org}`,
      greeting: `Hallo ${t.name},`,
      intro: [
        `De passkey "${t.passkeyName}" is net toegevoegd aan je account bij ${org}. Daarmee kun je voortaan inloggen zonder wachtwoord, met je vingerafdruk, gezicht of pincode van je apparaat.`,
        'Heb je dat zelf gedaan? Dan hoef je niets te doen.',
      ],
      actions: [
        { label: 'Je passkeys', url: t.passkeysLink },
        { label: 'Hulp bij inloggen', url: t.helpLink },
      ],
      outro: [`Heb je dit niet zelf gedaan? Verwijder de passkey dan meteen bij Je passkeys en neem contact op met de helpdesk van ${org}. Iemand anders kan dan in je account komen.`],
    }),
  },
  copyLinkHint: 'Werkt de knop niet? Kopieer dan deze link naar je browser:',
  helpdesk: (org, contact) => `Vragen? Neem contact op met de helpdesk van ${org}:\n${contact}`,
  signOff: (org) => `Met vriendelijke groet,\n${org}`,
};
