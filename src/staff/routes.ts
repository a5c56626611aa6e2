import type { PageRoute } from '../web/page.js';
import { listAccounts, showAccountDetail, showNewAccount, submitAccountAction, submitNewAccount } from './account-pages.js';
import { exportAuditCsv, showAudit } from './audit-page.js';
import { showBranding, submitBranding } from './branding-page.js';
import { showClient, showClients, submitClient, submitClientRemoval } from './clients-page.js';
import { showPolicy, submitPolicy } from './policy-page.js';

/** Staff and admin pages (SPEC 6). Anyone without the role gets 404. */
export const staffRoutes: PageRoute[] = [
  { method: 'GET', path: '/staff/accounts', access: 'staff', handler: listAccounts },
  { method: 'GET', path: '/staff/accounts/new', access: 'staff', handler: showNewAccount },
  { method: 'POST', path: '/staff/accounts/new', access: 'staff', handler: submitNewAccount },
  { method: 'GET', path: '/staff/accounts/:id', access: 'staff', handler: showAccountDetail },
  { method: 'POST', path: '/staff/accounts/:id/action', access: 'staff', handler: submitAccountAction },
  { method: 'GET', path: '/admin/policy', access: 'admin', handler: showPolicy },
  { method: 'POST', path: '/admin/policy', access: 'admin', handler: submitPolicy },
  { method: 'GET', path: '/admin/branding', access: 'admin', handler: showBranding },
  { method: 'POST', path: '/admin/branding', access: 'admin', handler: submitBranding },
  { method: 'GET', path: '/admin/audit', access: 'admin', handler: showAudit },
  { method: 'GET', path: '/admin/clients', access: 'admin', handler: showClients },
  { method: 'POST', path: '/admin/clients', access: 'admin', handler: submitClient },
  { method: 'GET', path: '/admin/clients/:id', access: 'admin', handler: showClient },
  { method: 'POST', path: '/admin/clients/:id/remove', access: 'admin', handler: submitClientRemoval },
  { method: 'GET', path: '/admin/audit.csv', access: 'admin', handler: exportAuditCsv },
];
