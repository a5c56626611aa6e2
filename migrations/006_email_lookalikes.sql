-- SECURITY 38: an account made through self-registration is marked, so that until its address is
-- confirmed (a password set through the link) no mail to it carries what the requester typed.
-- Accounts from before are known by the audit row of their creation.
ALTER TABLE account ADD COLUMN self_registered boolean NOT NULL DEFAULT false;
UPDATE account a SET self_registered = true
 WHERE a.created_by IS NULL
   AND EXISTS (SELECT 1 FROM audit_event e
                WHERE e.tenant_id = a.tenant_id AND e.subject_account_id = a.id
                  AND e.event = 'account_created' AND e.details ->> 'via' = 'self_registration');

-- SECURITY 39: the confusable skeleton (Unicode TR39) of the address; two accounts of an org never
-- share one. Computed by Ingang (accounts/email.ts), not SQL: rows from before get theirs from
-- maintenance, which marks the row instead (and names both in its log) where an older account of
-- the org already has that skeleton.
ALTER TABLE account ADD COLUMN email_skeleton text;
CREATE UNIQUE INDEX account_by_email_skeleton ON account (tenant_id, email_skeleton) WHERE email_skeleton IS NOT NULL;
