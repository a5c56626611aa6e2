-- An SMS code is made (and counted against the send limits) before the provider is called, outside
-- any transaction; while `pending`, it is not the code to check against, so the code sent before it
-- keeps working meanwhile. The default (false) keeps rows written by an instance that predates this
-- migration (during a rolling deploy) checkable: those were sent within their transaction.
ALTER TABLE sms_code ADD COLUMN pending boolean NOT NULL DEFAULT false;
