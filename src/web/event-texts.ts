import type { AuditEvent } from '../audit/events.js';
import type { Locale } from '../core/locale.js';

type Text = Record<Locale, string>;

/**
 * Every audit event in words, in both languages (issue 12, stumbles 1 and 5): `you` is the
 * sentence on a user's own security activity page, where a patient should spot a stranger
 * (`{device}` is the app's device or the browser, where known); `label` is the short name on the
 * staff audit page and its filter. A new event without both does not compile. The CSV keeps the
 * event ids.
 */
export const eventTexts: Record<AuditEvent, { you: Text; label: Text }> = {
  organization_created: { you: { nl: 'De organisatie is aangemaakt', en: 'The organization was created' }, label: { nl: 'Organisatie aangemaakt', en: 'Organization created' } },
  policy_changed: { you: { nl: 'Het beleid is gewijzigd', en: 'The policy was changed' }, label: { nl: 'Beleid gewijzigd', en: 'Policy changed' } },
  branding_changed: { you: { nl: 'De huisstijl is gewijzigd', en: 'The branding was changed' }, label: { nl: 'Huisstijl gewijzigd', en: 'Branding changed' } },
  account_created: { you: { nl: 'Je account is aangemaakt', en: 'Your account was created' }, label: { nl: 'Account aangemaakt', en: 'Account created' } },
  self_registration_taken_over: { you: { nl: 'Een medewerker heeft je aanmelding overgenomen', en: 'A staff member took over your registration' }, label: { nl: 'Aanmelding overgenomen', en: 'Registration taken over' } },
  welcome_email_sent: { you: { nl: 'Er is een welkomstmail naar je gestuurd', en: 'A welcome e-mail was sent to you' }, label: { nl: 'Welkomstmail verstuurd', en: 'Welcome e-mail sent' } },
  welcome_link_renewal_requested: { you: { nl: 'Er is een nieuwe welkomstlink gevraagd', en: 'A new welcome link was requested' }, label: { nl: 'Nieuwe welkomstlink gevraagd', en: 'New welcome link requested' } },
  account_activated: { you: { nl: 'Je hebt je wachtwoord ingesteld en je account is actief', en: 'You set your password and your account is active' }, label: { nl: 'Account geactiveerd', en: 'Account activated' } },
  registration_requested: { you: { nl: 'Er is een aanmelding gevraagd', en: 'A registration was requested' }, label: { nl: 'Aanmelding gevraagd', en: 'Registration requested' } },
  login_succeeded: { you: { nl: 'Je bent ingelogd op {device}', en: 'You logged in on {device}' }, label: { nl: 'Ingelogd', en: 'Logged in' } },
  login_failed: { you: { nl: 'Iemand probeerde in te loggen met een verkeerd wachtwoord op {device}', en: 'Someone tried to log in with a wrong password on {device}' }, label: { nl: 'Inloggen mislukt', en: 'Login failed' } },
  login_throttled: { you: { nl: 'Inloggen is tijdelijk geblokkeerd na te veel pogingen', en: 'Logging in was blocked for a while after too many tries' }, label: { nl: 'Inloggen tijdelijk geblokkeerd', en: 'Login throttled' } },
  requests_throttled: { you: { nl: 'Te veel verzoeken zijn tijdelijk tegengehouden', en: 'Too many requests were held back for a while' }, label: { nl: 'Verzoeken afgeremd', en: 'Requests throttled' } },
  logged_out: { you: { nl: 'Je bent uitgelogd op {device}', en: 'You logged out on {device}' }, label: { nl: 'Uitgelogd', en: 'Logged out' } },
  password_changed: { you: { nl: 'Je wachtwoord is gewijzigd', en: 'Your password was changed' }, label: { nl: 'Wachtwoord gewijzigd', en: 'Password changed' } },
  password_reset_requested: { you: { nl: 'Er is een link gevraagd om je wachtwoord opnieuw in te stellen', en: 'A link to reset your password was requested' }, label: { nl: 'Wachtwoordherstel gevraagd', en: 'Password reset requested' } },
  password_reset_email_sent: { you: { nl: 'Er is een mail gestuurd om je wachtwoord opnieuw in te stellen', en: 'An e-mail to reset your password was sent' }, label: { nl: 'Herstelmail verstuurd', en: 'Reset e-mail sent' } },
  password_reset_sent_by_staff: { you: { nl: 'Een medewerker heeft je een link gestuurd om je wachtwoord opnieuw in te stellen', en: 'A staff member sent you a link to reset your password' }, label: { nl: 'Herstellink verstuurd door medewerker', en: 'Reset link sent by staff' } },
  password_reset_completed: { you: { nl: 'Je wachtwoord is opnieuw ingesteld', en: 'Your password was reset' }, label: { nl: 'Wachtwoord hersteld', en: 'Password reset' } },
  profile_updated: { you: { nl: 'Je naam of taal is gewijzigd', en: 'Your name or language was changed' }, label: { nl: 'Gegevens gewijzigd', en: 'Profile updated' } },
  account_deactivated: { you: { nl: 'Je account is uitgezet', en: 'Your account was deactivated' }, label: { nl: 'Account uitgezet', en: 'Account deactivated' } },
  account_reactivated: { you: { nl: 'Je account is weer aangezet', en: 'Your account was reactivated' }, label: { nl: 'Account weer aangezet', en: 'Account reactivated' } },
  account_unlocked: { you: { nl: 'Je account is ontgrendeld', en: 'Your account was unlocked' }, label: { nl: 'Account ontgrendeld', en: 'Account unlocked' } },
  second_factor_failed: { you: { nl: 'Iemand vulde een verkeerde code in op {device}', en: 'Someone entered a wrong code on {device}' }, label: { nl: 'Verkeerde code', en: 'Wrong code' } },
  totp_enabled: { you: { nl: 'Je hebt tweestapsverificatie met een authenticator-app aangezet', en: 'You turned on two-step verification with an authenticator app' }, label: { nl: 'Authenticator-app aangezet', en: 'Authenticator app turned on' } },
  sms_enabled: { you: { nl: 'Je hebt tweestapsverificatie met sms aangezet', en: 'You turned on two-step verification by text message' }, label: { nl: 'Sms-codes aangezet', en: 'Text message codes turned on' } },
  two_factor_disabled: { you: { nl: 'Tweestapsverificatie is uitgezet', en: 'Two-step verification was turned off' }, label: { nl: 'Tweestapsverificatie uitgezet', en: 'Two-step verification turned off' } },
  two_factor_reset_by_staff: { you: { nl: 'Een medewerker heeft je tweestapsverificatie gewist', en: 'A staff member reset your two-step verification' }, label: { nl: 'Tweestapsverificatie gewist door medewerker', en: 'Two-step verification reset by staff' } },
  recovery_codes_generated: { you: { nl: 'Je hebt nieuwe herstelcodes gemaakt', en: 'You made new recovery codes' }, label: { nl: 'Nieuwe herstelcodes', en: 'New recovery codes' } },
  recovery_code_used: { you: { nl: 'Er is met een herstelcode ingelogd', en: 'A recovery code was used to log in' }, label: { nl: 'Herstelcode gebruikt', en: 'Recovery code used' } },
  sms_code_sent: { you: { nl: 'Er is een code per sms naar je gestuurd', en: 'A code was sent to you by text message' }, label: { nl: 'Sms-code verstuurd', en: 'Text message code sent' } },
  step_up_succeeded: { you: { nl: 'Je hebt bevestigd dat jij het bent', en: 'You confirmed it was you' }, label: { nl: 'Bevestigd', en: 'Confirmed' } },
  step_up_failed: { you: { nl: 'Bevestigen dat jij het bent is mislukt', en: 'Confirming it was you failed' }, label: { nl: 'Bevestigen mislukt', en: 'Confirmation failed' } },
  two_factor_settings_changed: { you: { nl: 'De instellingen van je tweestapsverificatie zijn gewijzigd', en: 'Your two-step verification settings were changed' }, label: { nl: 'Instellingen tweestapsverificatie gewijzigd', en: 'Two-step settings changed' } },
  trusted_browser_removed: { you: { nl: 'Een vertrouwde browser is verwijderd', en: 'A trusted browser was removed' }, label: { nl: 'Vertrouwde browser verwijderd', en: 'Trusted browser removed' } },
  app_qr_shown: { you: { nl: 'Er is een QR-code getoond om de app te koppelen', en: 'A QR code to link the app was shown' }, label: { nl: 'App-QR-code getoond', en: 'App QR code shown' } },
  app_qr_used: { you: { nl: 'De QR-code is gebruikt om de app te koppelen', en: 'The QR code was used to link the app' }, label: { nl: 'App-QR-code gebruikt', en: 'App QR code used' } },
  app_device_added: { you: { nl: 'De app is gekoppeld op {device}', en: 'The app was linked on {device}' }, label: { nl: 'App gekoppeld', en: 'App linked' } },
  app_device_removed: { you: { nl: 'De app op {device} is ontkoppeld', en: 'The app on {device} was unlinked' }, label: { nl: 'App ontkoppeld', en: 'App unlinked' } },
  pin_set: { you: { nl: 'Er is een pincode ingesteld in de app op {device}', en: 'A PIN was set in the app on {device}' }, label: { nl: 'Pincode ingesteld', en: 'PIN set' } },
  pin_failed: { you: { nl: 'Iemand vulde een verkeerde pincode in in de app op {device}', en: 'Someone entered a wrong PIN in the app on {device}' }, label: { nl: 'Verkeerde pincode', en: 'Wrong PIN' } },
  app_login_succeeded: { you: { nl: 'Je bent ingelogd in de app op {device}', en: 'You logged in to the app on {device}' }, label: { nl: 'Ingelogd in de app', en: 'Logged in to the app' } },
  app_logged_out: { you: { nl: 'Je bent uitgelogd in de app op {device}', en: 'You logged out of the app on {device}' }, label: { nl: 'Uitgelogd in de app', en: 'Logged out of the app' } },
  passkey_added: { you: { nl: 'Er is een passkey toegevoegd', en: 'A passkey was added' }, label: { nl: 'Passkey toegevoegd', en: 'Passkey added' } },
  passkey_used: { you: { nl: 'Je hebt een passkey gebruikt op {device}', en: 'You used a passkey on {device}' }, label: { nl: 'Passkey gebruikt', en: 'Passkey used' } },
  passkey_removed: { you: { nl: 'Er is een passkey verwijderd', en: 'A passkey was removed' }, label: { nl: 'Passkey verwijderd', en: 'Passkey removed' } },
  passkey_refused: { you: { nl: 'Een passkey is geweigerd op {device}', en: 'A passkey was refused on {device}' }, label: { nl: 'Passkey geweigerd', en: 'Passkey refused' } },
  oidc_consent_given: { you: { nl: 'Je hebt een toepassing toestemming gegeven', en: 'You gave an application your consent' }, label: { nl: 'Toestemming gegeven', en: 'Consent given' } },
  oidc_tokens_issued: { you: { nl: 'Een toepassing heeft je laten inloggen', en: 'An application logged you in' }, label: { nl: 'Ingelogd bij toepassing', en: 'Logged in to application' } },
  oidc_refresh_used: { you: { nl: 'Een toepassing heeft je login verlengd', en: 'An application extended your login' }, label: { nl: 'Login verlengd door toepassing', en: 'Login extended by application' } },
  oidc_token_revoked: { you: { nl: 'De toegang van een toepassing is ingetrokken', en: 'An application\'s access was revoked' }, label: { nl: 'Toegang ingetrokken', en: 'Access revoked' } },
  oidc_backchannel_logout_sent: { you: { nl: 'Een toepassing is gemeld dat je bent uitgelogd', en: 'An application was told you logged out' }, label: { nl: 'Uitloggen gemeld aan toepassing', en: 'Logout sent to application' } },
  oidc_backchannel_logout_failed: { you: { nl: 'Een toepassing kon niet worden gemeld dat je bent uitgelogd', en: 'An application could not be told you logged out' }, label: { nl: 'Uitloggen melden mislukt', en: 'Logout to application failed' } },
  oidc_client_registered: { you: { nl: 'Er is een toepassing aangemeld', en: 'An application was registered' }, label: { nl: 'Toepassing aangemeld', en: 'Application registered' } },
  oidc_client_removed: { you: { nl: 'Er is een toepassing verwijderd', en: 'An application was removed' }, label: { nl: 'Toepassing verwijderd', en: 'Application removed' } },
};

/** The staff audit page's name of an event in the page's language; the id for one it does not know (older rows). */
export function eventLabel(event: string, locale: Locale): string {
  return Object.prototype.hasOwnProperty.call(eventTexts, event) ? eventTexts[event as AuditEvent].label[locale] : event;
}
