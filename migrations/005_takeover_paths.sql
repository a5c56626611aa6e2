-- A QR code for the app belongs to the login that showed it and ends with it (SECURITY 42): the
-- session's id changes at every step-up, so each login carries a `login_id` that stays the same
-- across those renewals, and a QR token names it. Sessions from before this migration get one now.
ALTER TABLE web_session ADD COLUMN login_id uuid NOT NULL DEFAULT gen_random_uuid();
ALTER TABLE app_qr_token ADD COLUMN session_login_id uuid;

-- Phone numbers are sealed at rest (SECURITY 45). An SMS code keeps only a keyed digest of the number
-- it went to; the codes outstanding at the upgrade (valid 5 minutes) stop working, a new one is sent.
ALTER TABLE sms_code RENAME COLUMN phone TO phone_digest;
ALTER TABLE second_factor RENAME COLUMN phone TO phone_sealed;
