import type { PageRoute } from './page.js';
import { showAccount, showHome, showPasswordChange, submitAccount, submitPasswordChange } from './pages/account.js';
import { showHelp, showPasswordHelp } from './pages/help.js';
import { showLogin, submitLogin, submitLogout } from './pages/login.js';
import { showForgot, showReset, submitForgot, submitReset } from './pages/password-reset.js';
import { showRegister, submitRegister } from './pages/register.js';
import { showWelcome, submitWelcome, submitWelcomeRenewal } from './pages/welcome.js';

/** Every browser page of an organization, at a glance. */
export const webRoutes: PageRoute[] = [
  { method: 'GET', path: '/', access: 'authenticated', handler: showHome },
  { method: 'GET', path: '/login', access: 'public', handler: showLogin },
  { method: 'POST', path: '/login', access: 'public', handler: submitLogin },
  { method: 'POST', path: '/logout', access: 'public', handler: submitLogout },
  { method: 'GET', path: '/welcome/:token', access: 'public', handler: showWelcome },
  { method: 'POST', path: '/welcome/renew', access: 'public', handler: submitWelcomeRenewal },
  { method: 'POST', path: '/welcome/:token', access: 'public', handler: submitWelcome },
  { method: 'GET', path: '/register', access: 'public', handler: showRegister },
  { method: 'POST', path: '/register', access: 'public', handler: submitRegister },
  { method: 'GET', path: '/password/forgot', access: 'public', handler: showForgot },
  { method: 'POST', path: '/password/forgot', access: 'public', handler: submitForgot },
  { method: 'GET', path: '/password/reset/:token', access: 'public', handler: showReset },
  { method: 'POST', path: '/password/reset/:token', access: 'public', handler: submitReset },
  { method: 'GET', path: '/account', access: 'authenticated', handler: showAccount },
  { method: 'POST', path: '/account', access: 'authenticated', handler: submitAccount },
  { method: 'GET', path: '/account/password', access: 'authenticated', handler: showPasswordChange },
  { method: 'POST', path: '/account/password', access: 'authenticated', handler: submitPasswordChange },
  { method: 'GET', path: '/help', access: 'public', handler: showHelp },
  { method: 'GET', path: '/help/passwords', access: 'public', handler: showPasswordHelp },
];
