-- Passkeys (SPEC 11): WebAuthn credentials bound to the organization's primary host.

-- A credential of one account; its id is the authenticator's, unique within the organization.
-- The counter must grow with every use (an authenticator that counts nothing stays at 0).
CREATE TABLE passkey (
  tenant_id uuid NOT NULL,
  id uuid NOT NULL,
  account_id uuid NOT NULL,
  credential_id text NOT NULL,
  public_key bytea NOT NULL,
  counter bigint NOT NULL,
  transports text[] NOT NULL DEFAULT '{}',
  -- synced (multiDevice) or bound to one device (singleDevice), as the authenticator says.
  device_type text NOT NULL CHECK (device_type IN ('singleDevice', 'multiDevice')),
  backed_up boolean NOT NULL,
  name text NOT NULL,
  created_at timestamptz NOT NULL,
  last_used_at timestamptz,
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, account_id) REFERENCES account (tenant_id, id),
  CONSTRAINT passkey_credential_unique UNIQUE (tenant_id, credential_id)
);
CREATE INDEX passkey_by_account ON passkey (tenant_id, account_id);

-- The challenge a browser session was given for one ceremony, used once, for a few minutes.
CREATE TABLE passkey_challenge (
  tenant_id uuid NOT NULL REFERENCES organization (tenant_id),
  login_id uuid NOT NULL,
  purpose text NOT NULL CHECK (purpose IN ('register', 'login')),
  challenge text NOT NULL,
  account_id uuid,
  expires_at timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, login_id, purpose)
);
CREATE INDEX passkey_challenge_by_expiry ON passkey_challenge (expires_at);

-- A login made with a passkey: a whole login (both steps), and what the OpenID provider reports.
ALTER TABLE web_session ADD COLUMN passkey_verified_at timestamptz;
