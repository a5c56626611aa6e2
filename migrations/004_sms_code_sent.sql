-- An SMS code is made (and counted against the send limits) before the provider is called, outside
-- any transaction; until the provider has accepted it, it is not the code to check against, so the
-- code sent before it keeps working meanwhile. Codes made before this migration were all sent.
ALTER TABLE sms_code ADD COLUMN sent_at timestamptz;
UPDATE sms_code SET sent_at = created_at;
