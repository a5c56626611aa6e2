import { noRequestContext } from './audit/audit.js';
import type { Deps } from './deps.js';
import { registerOpenIdClient } from './flows/openid-clients.js';
import { createAccount } from './flows/staff/create-account.js';
import { createOrganizationAsOperator, hasAnyOrganization } from './flows/staff/organizations.js';

/** The demo organization's first-party application (SPEC 10): a public client, for trying the provider from this machine. */
export const demoClientRedirectUri = 'http://localhost:8080/callback';

/**
 * Outside production, an empty database gets a demo organization with one admin (SPEC 9) and a
 * first-party OpenID Connect client (SPEC 10), so `npm start` on a fresh machine leads straight to
 * a working login. Returns the welcome link and the client's id.
 */
export async function createDemoIfEmpty(deps: Deps): Promise<{ welcomeLink: string; clientId: string } | null> {
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
  const client = await registerOpenIdClient(deps, created.organization, {
    name: 'Demo-app',
    redirectUris: [demoClientRedirectUri],
    postLogoutRedirectUris: ['http://localhost:8080/'],
    backchannelLogoutUri: null,
    public: true,
    firstParty: true,
    offlineAccess: false,
  });
  if (!client.ok) throw new Error(`demo client: ${client.error}`);
  return { welcomeLink: account.welcomeLink, clientId: client.client.clientId };
}
