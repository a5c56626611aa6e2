-- Two-step authentication (SPEC 4.5, 4.6): second factors, recovery codes, SMS codes, trusted
-- browsers, and the failure budgets. Keys start with tenant_id like every other table.

ALTER TABLE account
  -- Wrong codes in a row, across login attempts and methods (SPEC 4.5: 10 lock for 15 minutes).
  ADD COLUMN second_factor_failures integer NOT NULL DEFAULT 0,
  ADD COLUMN second_factor_locked_until timestamptz,
  -- How long a verified code stays valid on a browser (SPEC 4.6).
  ADD COLUMN code_validity text NOT NULL DEFAULT '1h';
-- Named, and in a statement of its own, as Citus needs on a distributed table (SPEC 9); the name is
-- the one PostgreSQL gave it when it stood in the ADD COLUMN, so every database has the same schema.
ALTER TABLE account ADD CONSTRAINT account_code_validity_check CHECK (code_validity IN ('1h', '12h', '7d', '30d'));

ALTER TABLE web_session
  -- Wrong codes in this login attempt (SPEC 4.5: 5 end the attempt).
  ADD COLUMN code_failures integer NOT NULL DEFAULT 0,
  -- Recovery codes shown after setup, sealed, until the user confirms they stored them.
  ADD COLUMN recovery_codes_sealed text;

-- One active factor per account; a pending one belongs to the session that is setting it up.
CREATE TABLE second_factor (
  tenant_id uuid NOT NULL,
  id uuid NOT NULL,
  account_id uuid NOT NULL,
  method text NOT NULL CHECK (method IN ('totp', 'sms')),
  status text NOT NULL CHECK (status IN ('pending', 'active')),
  -- AES-256-GCM sealed, bound to tenant and account (src/core/secret-box.ts).
  totp_secret_sealed text,
  phone text,
  -- RFC 6238 §5.2: each time step is accepted at most once per account.
  last_totp_step bigint,
  setup_session_id text,
  created_at timestamptz NOT NULL,
  confirmed_at timestamptz,
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, account_id) REFERENCES account (tenant_id, id),
  CHECK ((method = 'totp') = (totp_secret_sealed IS NOT NULL)),
  CHECK ((method = 'sms') = (phone IS NOT NULL))
);
CREATE UNIQUE INDEX second_factor_one_active ON second_factor (tenant_id, account_id) WHERE status = 'active';
CREATE INDEX second_factor_by_account ON second_factor (tenant_id, account_id);

CREATE TABLE recovery_code (
  tenant_id uuid NOT NULL,
  id uuid NOT NULL,
  account_id uuid NOT NULL,
  code_hash bytea NOT NULL,
  created_at timestamptz NOT NULL,
  used_at timestamptz,
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, account_id) REFERENCES account (tenant_id, id)
);
CREATE INDEX recovery_code_by_account ON recovery_code (tenant_id, account_id);

-- SMS codes: valid 5 minutes, 5 tries, single use, bound to a purpose and a session.
CREATE TABLE sms_code (
  tenant_id uuid NOT NULL,
  id uuid NOT NULL,
  account_id uuid NOT NULL,
  session_id text NOT NULL,
  purpose text NOT NULL CHECK (purpose IN ('login', 'setup', 'confirm')),
  phone text NOT NULL,
  code_hash bytea NOT NULL,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  attempts integer NOT NULL DEFAULT 0,
  used_at timestamptz,
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, account_id) REFERENCES account (tenant_id, id)
);
CREATE INDEX sms_code_by_account ON sms_code (tenant_id, account_id, created_at DESC);

-- A browser on which a verified code stays valid for a while (SPEC 4.6); revocable.
CREATE TABLE trusted_browser (
  tenant_id uuid NOT NULL,
  id text NOT NULL,
  account_id uuid NOT NULL,
  secret_hash bytea NOT NULL,
  name text NOT NULL,
  validity text NOT NULL CHECK (validity IN ('1h', '12h', '7d', '30d')),
  created_at timestamptz NOT NULL,
  last_used_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, account_id) REFERENCES account (tenant_id, id)
);
CREATE INDEX trusted_browser_by_account ON trusted_browser (tenant_id, account_id);
