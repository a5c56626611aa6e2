import type { Account } from '../accounts/accounts.js';
import type { RequestContext } from '../audit/audit.js';
import type { Locale } from '../core/locale.js';
import type { Failure, Ok } from '../core/outcome.js';
import { clientIpKey, hitRateLimit } from '../core/rate-limit.js';
import type { Deps } from '../deps.js';
import { judgeNewPassword, type PasswordJudgement } from '../factors/password/new-password.js';
import type { WebSession } from '../sessions/web-sessions.js';
import type { Organization } from '../tenants/organizations.js';

/** A hint is asked on every pause in typing: generous for a person, small for a script (SECURITY 35). */
const hintsPerSession = { limit: 60, windowSeconds: 60 };
const hintsPerNetwork = { limit: 600, windowSeconds: 600 };

/**
 * The strength hint while a new password is typed (SPEC 3): the very judgement the form will make
 * on submit — the rules, the blocklist, the context words, the guess floor — so the hint never calls
 * strong what the form then refuses. For a logged-in account its own address and current password
 * count; on a link page the address the page shows. Throttled per session and per network.
 */
export async function hintNewPassword(
  deps: Deps,
  org: Organization,
  client: RequestContext,
  asker: { session: WebSession; account: Account | null },
  input: { password: string; email: string; locale: Locale },
): Promise<Ok<PasswordJudgement & { acceptable: boolean }> | Failure<'rate_limited', { retryAfterSeconds: number }>> {
  const now = deps.clock.now();
  for (const [key, rule] of [[`password_hint:${asker.session.id}`, hintsPerSession], [`password_hint_ip:${clientIpKey(client.ip)}`, hintsPerNetwork]] as const) {
    const budget = await hitRateLimit(deps.db, org.tenantId, key, rule, now);
    if (!budget.allowed) return { ok: false, error: 'rate_limited', retryAfterSeconds: budget.retryAfterSeconds };
  }
  const account = asker.account ?? { email: input.email.slice(0, 254), passwordHash: null };
  const judged = await judgeNewPassword(org, account, { password: input.password, passwordConfirm: input.password }, input.locale);
  return { ok: true, ...judged, acceptable: judged.problems.length === 0 };
}
