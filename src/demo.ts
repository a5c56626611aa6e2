import { noRequestContext } from './audit/audit.js';
import type { Deps } from './deps.js';
import { createAccount } from './flows/staff/create-account.js';
import { createOrganizationAsOperator, hasAnyOrganization } from './flows/staff/organizations.js';

/**
 * Outside production, an empty database gets a demo organization with one admin (SPEC 9), so
 * `npm start` on a fresh machine leads straight to a working login. Returns the welcome link.
 */
export async function createDemoIfEmpty(deps: Deps): Promise<string | null> {
  if (deps.config.production || (await hasAnyOrganization(deps))) return null;
  const created = await createOrganizationAsOperator(deps, {
    slug: 'demo',
    name: 'Demo Zorg',
    hostnames: [],
    defaultLocale: 'nl',
    helpdeskContact: 'Helpdesk Demo Zorg: 020 123 45 67 (werkdagen 9–17 uur), helpdesk@demo.example',
  });
  if (!created.ok) throw new Error(`demo organization: ${created.error}`);
  const account = await createAccount(deps, created.organization, null, noRequestContext, {
    email: 'admin@demo.example',
    name: 'Demo Beheerder',
    role: 'admin',
    locale: '',
  });
  if (!account.ok) throw new Error('demo admin could not be created');
  return account.welcomeLink;
}
