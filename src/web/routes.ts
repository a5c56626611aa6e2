import type { PageRoute } from './page.js';
import { showAccount, showHome, showPasswordChange, submitAccount, submitPasswordChange } from './pages/account.js';
import { showActivity, showApp, showAppLoginInfo, showDevices, submitApp, submitRemoveDevice, submitRevokeApplication } from './pages/app-pages.js';
import { showHelp, showPasswordHelp } from './pages/help.js';
import { showOpenIdInteraction, submitOpenIdInteraction } from './pages/openid.js';
import { passkeyOptions, passkeySecondStepOptions, passkeyStepUpOptions, showPasskeys, showRemovePasskey, submitNewPasskey, submitPasskeyLogin, submitRemovePasskey } from './pages/passkeys.js';
import { checkPasswordStrength } from './pages/password-hint.js';
import { showLogin, submitLogin, submitLogout } from './pages/login.js';
import { sendResetSms, showForgot, showReset, submitForgot, submitReset } from './pages/password-reset.js';
import { showRegister, submitRegister } from './pages/register.js';
import { resendCode, sendConfirmCode, showCodeStep, showRecoveryStep, submitCodeStep, submitRecoveryStep } from './pages/second-factor-login.js';
import { resendSetupSms, showConfirmSetup, showRecoveryCodes, showSetup, submitConfirmSetup, submitRecoveryCodesStored, submitSetup } from './pages/two-factor-setup.js';
import { showTwoFactor, submitNewRecoveryCodes, submitRemoveTrusted, submitTurnOff, submitValidity } from './pages/two-factor-status.js';
import { showWelcome, submitWelcome, submitWelcomeRenewal } from './pages/welcome.js';

/** Every browser page of an organization, at a glance. */
export const webRoutes: PageRoute[] = [
  { method: 'GET', path: '/', access: 'authenticated', handler: showHome },
  { method: 'GET', path: '/login', access: 'public', handler: showLogin },
  // SPEC 10: a relying application's login, handed back to it once Ingang's own login is done.
  { method: 'GET', path: '/oidc/interaction/:uid', access: 'authenticated', handler: showOpenIdInteraction },
  { method: 'POST', path: '/oidc/interaction/:uid', access: 'authenticated', handler: submitOpenIdInteraction },
  { method: 'POST', path: '/login', access: 'public', handler: submitLogin },
  { method: 'POST', path: '/login/passkey/options', access: 'public', handler: passkeyOptions },
  { method: 'POST', path: '/login/passkey', access: 'public', handler: submitPasskeyLogin },
  { method: 'POST', path: '/logout', access: 'public', handler: submitLogout },
  { method: 'GET', path: '/login/code', access: 'second_factor', handler: showCodeStep },
  { method: 'POST', path: '/login/code', access: 'second_factor', handler: submitCodeStep },
  { method: 'POST', path: '/login/code/resend', access: 'second_factor', handler: resendCode },
  { method: 'POST', path: '/login/code/passkey/options', access: 'second_factor', handler: passkeySecondStepOptions },
  { method: 'GET', path: '/login/recovery', access: 'second_factor', handler: showRecoveryStep },
  { method: 'POST', path: '/login/recovery', access: 'second_factor', handler: submitRecoveryStep },
  { method: 'GET', path: '/welcome/:token', access: 'public', handler: showWelcome },
  { method: 'POST', path: '/welcome/renew', access: 'public', handler: submitWelcomeRenewal },
  { method: 'POST', path: '/welcome/:token', access: 'public', handler: submitWelcome },
  { method: 'GET', path: '/register', access: 'public', handler: showRegister },
  { method: 'POST', path: '/register', access: 'public', handler: submitRegister },
  { method: 'GET', path: '/password/forgot', access: 'public', handler: showForgot },
  { method: 'POST', path: '/password/forgot', access: 'public', handler: submitForgot },
  { method: 'GET', path: '/password/reset/:token', access: 'public', handler: showReset },
  { method: 'POST', path: '/password/reset/:token', access: 'public', handler: submitReset },
  { method: 'POST', path: '/password/reset/:token/sms', access: 'public', handler: sendResetSms },
  { method: 'POST', path: '/password/strength', access: 'public', handler: checkPasswordStrength },
  { method: 'GET', path: '/account', access: 'authenticated', handler: showAccount },
  { method: 'POST', path: '/account', access: 'authenticated', handler: submitAccount },
  { method: 'GET', path: '/account/password', access: 'authenticated', handler: showPasswordChange },
  { method: 'POST', path: '/account/password', access: 'authenticated', handler: submitPasswordChange },
  { method: 'GET', path: '/account/2fa', access: 'authenticated', handler: showTwoFactor },
  { method: 'POST', path: '/account/2fa/disable', access: 'authenticated', handler: submitTurnOff },
  { method: 'POST', path: '/account/2fa/confirm-code', access: 'authenticated', handler: sendConfirmCode },
  { method: 'POST', path: '/account/2fa/recovery-codes/new', access: 'authenticated', handler: submitNewRecoveryCodes },
  { method: 'POST', path: '/account/2fa/validity', access: 'authenticated', handler: submitValidity },
  { method: 'POST', path: '/account/2fa/trusted/:id/remove', access: 'authenticated', handler: submitRemoveTrusted },
  { method: 'GET', path: '/account/2fa/setup', access: 'two_factor_setup', handler: showSetup },
  { method: 'POST', path: '/account/2fa/setup', access: 'two_factor_setup', handler: submitSetup },
  { method: 'GET', path: '/account/2fa/setup/totp', access: 'two_factor_setup', handler: showConfirmSetup },
  { method: 'POST', path: '/account/2fa/setup/totp', access: 'two_factor_setup', handler: submitConfirmSetup },
  { method: 'GET', path: '/account/2fa/setup/sms', access: 'two_factor_setup', handler: showConfirmSetup },
  { method: 'POST', path: '/account/2fa/setup/sms', access: 'two_factor_setup', handler: submitConfirmSetup },
  { method: 'POST', path: '/account/2fa/setup/sms/resend', access: 'two_factor_setup', handler: resendSetupSms },
  { method: 'GET', path: '/account/2fa/recovery-codes', access: 'recovery_codes', handler: showRecoveryCodes },
  { method: 'POST', path: '/account/2fa/recovery-codes', access: 'recovery_codes', handler: submitRecoveryCodesStored },
  { method: 'GET', path: '/account/app', access: 'authenticated', handler: showApp },
  { method: 'POST', path: '/account/app', access: 'authenticated', handler: submitApp },
  { method: 'GET', path: '/account/devices', access: 'authenticated', handler: showDevices },
  { method: 'POST', path: '/account/devices/:id/remove', access: 'authenticated', handler: submitRemoveDevice },
  { method: 'POST', path: '/account/applications/:id/revoke', access: 'authenticated', handler: submitRevokeApplication },
  { method: 'GET', path: '/account/activity', access: 'authenticated', handler: showActivity },
  // Open during a forced setup too: a passkey may be the second step (SPEC 11).
  { method: 'GET', path: '/account/passkeys', access: 'two_factor_setup', handler: showPasskeys },
  { method: 'POST', path: '/account/passkeys/new', access: 'two_factor_setup', handler: submitNewPasskey },
  { method: 'POST', path: '/account/step-up/passkey/options', access: 'two_factor_setup', handler: passkeyStepUpOptions },
  { method: 'GET', path: '/account/passkeys/:id/remove', access: 'authenticated', handler: showRemovePasskey },
  { method: 'POST', path: '/account/passkeys/:id/remove', access: 'authenticated', handler: submitRemovePasskey },
  { method: 'GET', path: '/app/login', access: 'public', handler: showAppLoginInfo },
  { method: 'GET', path: '/help', access: 'public', handler: showHelp },
  { method: 'GET', path: '/help/passwords', access: 'public', handler: showPasswordHelp },
];
