import type { FastifyRequest } from 'fastify';
import type { Standing } from '../flows/login/standing.js';
import type { WebContext } from './context.js';
import type { PageResult, PageRoute } from './page.js';
import { notFoundPage } from './pages/errors.js';

/**
 * Where a browser must go next from its standing, for the pages that are not yet open to it: the
 * code step, forced two-step setup, recovery codes to confirm. Null when nothing is due.
 */
export function nextStepPath(standing: Standing, returnTo = '/'): string | null {
  switch (standing.kind) {
    case 'needs_second_factor':
      return returnTo === '/' ? '/login/code' : `/login/code?returnTo=${encodeURIComponent(returnTo)}`;
    case 'needs_two_factor_setup':
      return '/account/2fa/setup';
    case 'needs_recovery_codes_stored':
      return '/account/2fa/recovery-codes';
    default:
      return null;
  }
}

/**
 * After the password step: the code page where a code is due (it carries `returnTo` on), else
 * where the user was going; any other step still due (forced setup) is the access check's there.
 */
export function afterPasswordPath(standing: Standing, returnTo: string): string {
  return standing.kind === 'needs_second_factor' ? nextStepPath(standing, returnTo)! : returnTo;
}

/** One place decides who may open what, from the session's standing; pages never repeat these guards. */
export function checkAccess(route: PageRoute, ctx: WebContext, request: FastifyRequest): PageResult | null {
  const standing = ctx.standing;
  switch (route.access) {
    case 'public':
      return null;
    case 'second_factor':
      return standing.kind === 'needs_second_factor' ? null : { redirect: standing.kind === 'authenticated' ? '/' : '/login' };
    case 'two_factor_setup':
      if (standing.kind === 'authenticated' || standing.kind === 'needs_two_factor_setup') return null;
      break;
    case 'recovery_codes':
      if (standing.kind === 'authenticated' || standing.kind === 'needs_recovery_codes_stored') return null;
      break;
    default:
      if (standing.kind === 'authenticated') {
        const role = standing.account.role;
        if (route.access === 'staff' && role === 'client') return notFoundPage(ctx);
        if (route.access === 'admin' && role !== 'admin') return notFoundPage(ctx);
        return null;
      }
  }
  // Staff pages do not reveal that they exist to anyone without a staff role, also halfway
  // through a login (SPEC 6); a staff member halfway through goes on to their next step.
  const role = 'account' in standing ? standing.account.role : null;
  if (route.access === 'staff' && (role === null || role === 'client')) return notFoundPage(ctx);
  if (route.access === 'admin' && role !== 'admin') return notFoundPage(ctx);
  const next = nextStepPath(standing);
  if (next) return { redirect: next };
  const returnTo = route.method === 'GET' ? `?returnTo=${encodeURIComponent(request.url)}` : '';
  return { redirect: `/login${returnTo}` };
}
