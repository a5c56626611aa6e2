export const roles = ['client', 'professional', 'helpdesk', 'admin'] as const;
export type Role = (typeof roles)[number];

export function isRole(value: string): value is Role {
  return (roles as readonly string[]).includes(value);
}

/** SPEC 2: admins create staff; professionals, helpdesk and admins create clients. */
export function canCreateRole(actor: Role, target: Role): boolean {
  if (actor === 'admin') return true;
  return target === 'client' && (actor === 'professional' || actor === 'helpdesk');
}

/**
 * Which accounts a staff member may see and act on (SPEC 6): professionals their own clients,
 * helpdesk the clients and professionals of the org, admins every account. Those who manage
 * accounts (helpdesk and admins) are managed by admins only ("Admins: … plus staff accounts"),
 * so no helpdesk member can lock out or reset a colleague or the admins who oversee them.
 */
export function canManage(actor: { id: string; role: Role }, subject: { id: string; role: Role }, isOwnClient: boolean): boolean {
  if (actor.role === 'admin') return true;
  if (actor.role === 'helpdesk') return subject.role === 'client' || subject.role === 'professional';
  if (actor.role === 'professional') return subject.role === 'client' && isOwnClient;
  return false;
}

/** Actions beyond viewing and resending a welcome mail (SPEC 6): helpdesk and admins only. */
export function canAdministerAccounts(role: Role): boolean {
  return role === 'helpdesk' || role === 'admin';
}
