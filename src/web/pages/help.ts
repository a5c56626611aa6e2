import { html } from '../../core/html.js';
import type { Locale } from '../../tenants/organizations.js';
import { renderPage } from '../layout.js';
import type { PageHandler } from '../page.js';

interface HelpTopic {
  id: string;
  question: string;
  answer: string[];
}

/** SPEC 4.8: the login problems people actually have, in both languages. */
const loginHelp: Record<Locale, HelpTopic[]> = {
  nl: [
    { id: 'wrong-password', question: 'Mijn e-mailadres of wachtwoord klopt niet', answer: ['Controleer of je het e-mailadres gebruikt waarop je de welkomstmail kreeg, en let op hoofdletters en spaties in je wachtwoord.', 'Lukt het niet? Kies dan "Wachtwoord vergeten" op de inlogpagina.'] },
    { id: 'wrong-platform', question: 'Ik log in op het verkeerde platform', answer: ['Elke zorgorganisatie heeft een eigen adres. Kijk in de adresbalk van je browser of je op het juiste adres bent.', 'Het goede adres staat in je welkomstmail. Een account bij de ene organisatie werkt niet bij een andere.'] },
    { id: 'no-mail', question: 'Ik heb geen e-mail gekregen', answer: ['Kijk in je map met ongewenste e-mail (spam). Het kan een paar minuten duren.', 'Heb je nog geen account? Vraag je zorgverlener of de helpdesk om er een voor je te maken.'] },
    { id: 'forgot-password', question: 'Ik ben mijn wachtwoord vergeten', answer: ['Kies "Wachtwoord vergeten" op de inlogpagina. Je krijgt een link om een nieuw wachtwoord in te stellen. De link werkt één keer en is kort geldig.'] },
    { id: 'expired-link', question: 'De link in mijn welkomstmail werkt niet meer', answer: ['Een welkomstlink is een beperkte tijd geldig en werkt één keer. Open de link en kies "Stuur mij een nieuwe link", of vraag de helpdesk om een nieuwe welkomstmail.'] },
    { id: 'lost-phone', question: 'Ik ben mijn telefoon kwijt (tweestapsverificatie)', answer: ['Log in met een van je herstelcodes. Heb je die niet meer? Neem contact op met de helpdesk: zij kunnen je tweestapsverificatie opnieuw instellen nadat ze hebben gecontroleerd wie je bent.'] },
    { id: 'locked', question: 'Mijn account is tijdelijk geblokkeerd', answer: ['Na een aantal verkeerde pogingen moet je even wachten voor je het opnieuw kunt proberen. Met "Wachtwoord vergeten" kun je direct een nieuw wachtwoord instellen; dat heft de blokkade op.'] },
    { id: 'pin-forgotten', question: 'Ik ben de pincode van de app vergeten', answer: ['Kies in de app voor "Pincode vergeten". Je koppelt de app dan opnieuw, met een QR-code vanaf je account op de website of door in te loggen met je e-mailadres en wachtwoord.'] },
    { id: 'qr-not-working', question: 'De QR-code voor de app werkt niet', answer: ['Een QR-code is twee minuten geldig en werkt één keer. Vraag op de website een nieuwe code aan en scan die met de app, niet met de camera van je telefoon.'] },
  ],
  en: [
    { id: 'wrong-password', question: 'My e-mail address or password is not accepted', answer: ['Check that you use the address your welcome e-mail was sent to, and mind capital letters and spaces in your password.', 'Still stuck? Choose "Forgot password" on the login page.'] },
    { id: 'wrong-platform', question: 'I am logging in on the wrong platform', answer: ["Every healthcare organization has its own address. Check your browser's address bar.", 'The right address is in your welcome e-mail. An account at one organization does not work at another.'] },
    { id: 'no-mail', question: 'I did not receive an e-mail', answer: ['Look in your spam or junk folder. It can take a few minutes.', 'No account yet? Ask your care provider or the helpdesk to create one for you.'] },
    { id: 'forgot-password', question: 'I forgot my password', answer: ['Choose "Forgot password" on the login page. You will get a link to set a new password. The link works once and for a short time.'] },
    { id: 'expired-link', question: 'The link in my welcome e-mail no longer works', answer: ['A welcome link is valid for a limited time and works once. Open the link and choose "Send me a new link", or ask the helpdesk for a new welcome e-mail.'] },
    { id: 'lost-phone', question: 'I lost my phone (two-step verification)', answer: ['Log in with one of your recovery codes. No recovery codes? Contact the helpdesk: after checking who you are, they can reset your two-step verification.'] },
    { id: 'locked', question: 'My account is temporarily locked', answer: ['After several wrong attempts you have to wait before trying again. "Forgot password" lets you set a new password right away, which also lifts the lock.'] },
    { id: 'pin-forgotten', question: 'I forgot the PIN of the app', answer: ['Choose "Forgot PIN" in the app. You then link the app again, with a QR code from your account on the website or by logging in with your e-mail address and password.'] },
    { id: 'qr-not-working', question: 'The QR code for the app does not work', answer: ['A QR code is valid for two minutes and works once. Ask for a new code on the website and scan it with the app, not with your phone camera.'] },
  ],
};

const passwordTips: Record<Locale, string[]> = {
  nl: [
    'Gebruik een wachtzin: vier of meer losse woorden die alleen jij combineert, bijvoorbeeld "fiets lantaarn oktober koffie". Lang is sterker dan ingewikkeld.',
    'Gebruik voor elke website een ander wachtwoord. Een wachtwoordbeheerder (password manager) onthoudt ze voor je en vult ze veilig in.',
    'Gebruik geen gegevens die anderen kunnen raden: je naam, geboortedatum, e-mailadres of de naam van deze organisatie.',
    'Veelgebruikte wachtwoorden zoals "Welkom01!" worden geweigerd: aanvallers proberen die als eerste.',
    'Deel je wachtwoord met niemand. Medewerkers van de helpdesk vragen er nooit naar.',
    'Zet tweestapsverificatie aan met een authenticator-app: dan is je wachtwoord alleen niet genoeg om in te loggen.',
  ],
  en: [
    'Use a passphrase: four or more unrelated words that only you combine, such as "bicycle lantern october coffee". Long beats complicated.',
    'Use a different password for every website. A password manager remembers them for you and fills them in safely.',
    'Avoid anything others can guess: your name, date of birth, e-mail address or the name of this organization.',
    'Common passwords such as "Welcome01!" are refused: attackers try those first.',
    'Never share your password. Helpdesk staff will never ask for it.',
    'Turn on two-step verification with an authenticator app: then your password alone is not enough to log in.',
  ],
};

export const showHelp: PageHandler = async ({ ctx }) => {
  const topics = loginHelp[ctx.locale];
  const contact = ctx.org.helpdeskContact.trim();
  const body = html`<p>${ctx.t('help.intro')}</p>
<nav aria-label="${ctx.t('help.topics')}"><ul>${topics.map((topic) => html`<li><a href="#${topic.id}">${topic.question}</a></li>`)}</ul></nav>
${topics.map((topic) => html`<section aria-labelledby="${topic.id}"><h2 id="${topic.id}">${topic.question}</h2>${topic.answer.map((p) => html`<p>${p}</p>`)}</section>`)}
<section aria-labelledby="contact"><h2 id="contact">${ctx.t('help.contact.title')}</h2>
${contact ? html`<p class="contact">${contact}</p>` : html`<p>${ctx.t('help.contact.none', { org: ctx.org.name })}</p>`}
</section>
<p><a href="/help/passwords">${ctx.t('nav.passwordTips')}</a></p>`;
  return { html: renderPage(ctx, { title: ctx.t('help.title'), body }) };
};

export const showPasswordHelp: PageHandler = async ({ ctx }) => {
  const policy = ctx.org.policy;
  const body = html`<ul class="tips">${passwordTips[ctx.locale].map((tip) => html`<li>${tip}</li>`)}</ul>
<p>${ctx.t(policy.passwordRequireSpecial ? 'password.hint.withSpecial' : 'password.hint', { min: policy.passwordMinLength })}</p>
<p><a href="/help">${ctx.t('nav.help')}</a></p>`;
  return { html: renderPage(ctx, { title: ctx.t('help.passwords.title'), body }) };
};
