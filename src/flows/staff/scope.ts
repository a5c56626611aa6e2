import { findAccountById, isClientOf, type Account } from '../../accounts/accounts.js';
import { canManage, roles, type Role } from '../../accounts/roles.js';
import type { Queryable } from '../../db/db.js';

/** The roles a staff member may list and search (SPEC 6). */
export function visibleRoles(actor: Account): Role[] {
  if (actor.role === 'admin') return [...roles];
  if (actor.role === 'helpdesk') return ['client', 'professional'];
  return ['client'];
}

/**
 * The account a staff member asks for, if they may see it. Anything else, another org's id
 * included, is null, so every staff route answers it with the same 404 (SECURITY 28).
 */
export async function findManagedAccount(db: Queryable, actor: Account, id: string): Promise<Account | null> {
  const subject = await findAccountById(db, actor.tenantId, id);
  if (!subject) return null;
  const ownClient = actor.role === 'professional' ? await isClientOf(db, actor.tenantId, actor.id, subject.id) : false;
  return canManage(actor, subject, ownClient) ? subject : null;
}
