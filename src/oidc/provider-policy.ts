import type { IncomingMessage } from 'node:http';
import { interactionPolicy } from 'oidc-provider';
import type { Queryable } from '../db/db.js';
import { providerSessionBound } from './login-links.js';

/** SPEC 10's two levels of authentication. */
export const acrValues = { password: 'urn:ingang:acr:password', twoFactor: 'urn:ingang:acr:2fa' } as const;

/** What the surface tells the provider of each request it hands over. */
export interface ProviderRequest {
  /** The client address as Ingang reads it (TRUST_PROXY and all). */
  ip: string;
  /** On the endpoints a browser visits: its live, fully logged-in Ingang login, if any. */
  login: { loginId: string; accountId: string } | null;
  /** Ingang's own pages for RP-initiated logout, in the browser's language. */
  pages?: {
    logoutConfirm(form: { action: string; xsrf: string; clientName: string | null }): string;
    loggedOut(clientName: string | null): string;
    /** A page that sends the browser on to `url` (what a redirect after a posted form may not do off this origin). */
    continueTo(url: string): string;
    /** Ingang's CSP, put back where the provider would have loosened it (its self-submitting form). */
    contentSecurityPolicy: string;
  };
  /** Ends the browser's Ingang login (the user confirmed the logout an application asked); the cookies to set. */
  endLogin?(): Promise<string[]>;
}

export const providerRequests = new WeakMap<IncomingMessage, ProviderRequest>();

/**
 * The provider's own rules of when to ask for a login, plus two of Ingang's:
 * - a provider session counts only while the Ingang login it was made in lives (the browser's
 *   session, within its idle and absolute limits): after a logout, a reset or a time limit, the
 *   application's next request goes through Ingang's login again (or gets `login_required`);
 * - an application that asks `acr_values=urn:ingang:acr:2fa` of a session that proved the
 *   password alone gets the login interaction, where Ingang asks the code (SPEC 10).
 */
export function loginPolicy(db: Queryable, tenantId: string) {
  const policy = interactionPolicy.base();
  const login = policy.get('login')!;
  login.checks.add(
    new interactionPolicy.Check('ingang_login_ended', 'the Ingang login of this provider session has ended', 'login_required', async (ctx) => {
      const session = ctx.oidc.session;
      if (!session?.accountId) return interactionPolicy.Check.NO_NEED_TO_PROMPT;
      const browser = providerRequests.get(ctx.req)?.login ?? null;
      if (!browser || browser.accountId !== session.accountId) return interactionPolicy.Check.REQUEST_PROMPT;
      // Just handed over by this very login (the interaction's result): bound as the code is issued.
      if (ctx.oidc.result?.login) return interactionPolicy.Check.NO_NEED_TO_PROMPT;
      return (await providerSessionBound(db, tenantId, browser.loginId, session.uid)) ? interactionPolicy.Check.NO_NEED_TO_PROMPT : interactionPolicy.Check.REQUEST_PROMPT;
    }),
  );
  login.checks.add(
    new interactionPolicy.Check('acr_two_factor', 'a second factor is asked for', (ctx) => {
      const wanted = String(ctx.oidc.params?.acr_values ?? '').split(' ').includes(acrValues.twoFactor);
      return wanted && ctx.oidc.acr !== acrValues.twoFactor && !ctx.oidc.result?.login ? interactionPolicy.Check.REQUEST_PROMPT : interactionPolicy.Check.NO_NEED_TO_PROMPT;
    }),
  );
  return policy;
}
