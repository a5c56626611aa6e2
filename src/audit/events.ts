/** Every audit event name, in one place (SPEC 7: past-tense snake_case). */
export const auditEvents = [
  'organization_created',
  'policy_changed',
  'account_created',
  'welcome_email_sent',
  'welcome_link_renewal_requested',
  'account_activated',
  'registration_requested',
  'login_succeeded',
  'login_failed',
  'login_throttled',
  'logged_out',
  'password_changed',
  'password_reset_requested',
  'password_reset_email_sent',
  'password_reset_sent_by_staff',
  'password_reset_completed',
  'profile_updated',
  'account_deactivated',
  'account_reactivated',
  'account_unlocked',
] as const;

export type AuditEvent = (typeof auditEvents)[number];
