-- A QR code for the app belongs to the login that showed it and ends with it (SECURITY 42): the
-- session's id changes at every step-up, so each login carries a `login_id` that stays the same
-- across those renewals, and a QR token names it. Sessions from before this migration get one now.
ALTER TABLE web_session ADD COLUMN login_id uuid NOT NULL DEFAULT gen_random_uuid();
ALTER TABLE app_qr_token ADD COLUMN session_login_id uuid;
