-- SPEC 11: a passkey proves a step-up in place of the password and code, with a ceremony of its
-- own purpose. The constraint is named and added in its own statement (Citus wants both).
ALTER TABLE passkey_challenge DROP CONSTRAINT passkey_challenge_purpose_check;
ALTER TABLE passkey_challenge ADD CONSTRAINT passkey_challenge_purpose CHECK (purpose IN ('register', 'login', 'step_up'));
