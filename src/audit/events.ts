/** Every audit event name, in one place (SPEC 7: past-tense snake_case). */
export const auditEvents = [
  'organization_created',
  'policy_changed',
  // SPEC 6: the organization's colour, logo or favicon changed (/admin/branding or org:brand).
  'branding_changed',
  'account_created',
  // SECURITY 39: staff created an account for an address that had only self-registered (never
  // confirmed); that invited account became theirs.
  'self_registration_taken_over',
  'welcome_email_sent',
  'welcome_link_renewal_requested',
  'account_activated',
  'registration_requested',
  'login_succeeded',
  'login_failed',
  'login_throttled',
  // SECURITY 37: anonymous requests (forgot password, registration, welcome renewal) throttled,
  // one row when a burst starts and one with its count when its window ends.
  'requests_throttled',
  'logged_out',
  'password_changed',
  'password_reset_requested',
  'password_reset_email_sent',
  'password_reset_sent_by_staff',
  // Before 2026-11-27 a completed reset was recorded under this name (now `password_changed` with
  // `via: reset`); kept so that older rows stay findable in the audit filter for their 5 years.
  'password_reset_completed',
  'profile_updated',
  'account_deactivated',
  'account_reactivated',
  'account_unlocked',
  'second_factor_failed',
  'totp_enabled',
  'sms_enabled',
  'two_factor_disabled',
  'two_factor_reset_by_staff',
  'recovery_codes_generated',
  'recovery_code_used',
  'sms_code_sent',
  'step_up_succeeded',
  'step_up_failed',
  'two_factor_settings_changed',
  'trusted_browser_removed',
  'app_qr_shown',
  'app_qr_used',
  'app_device_added',
  'app_device_removed',
  'pin_set',
  'pin_failed',
  'app_login_succeeded',
  'app_logged_out',
  // SPEC 11: passkeys.
  'passkey_added',
  'passkey_used',
  'passkey_removed',
  'passkey_refused',
  // SPEC 10: the organization's OpenID Connect provider.
  'oidc_consent_given',
  'oidc_tokens_issued',
  'oidc_refresh_used',
  'oidc_token_revoked',
  'oidc_backchannel_logout_sent',
  'oidc_backchannel_logout_failed',
  'oidc_client_registered',
  'oidc_client_removed',
] as const;

export type AuditEvent = (typeof auditEvents)[number];
