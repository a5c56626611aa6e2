-- The mobile app (SPEC 5): QR login tokens, devices with their PIN, app login challenges for the
-- second factor, and short-lived access tokens. Secrets are stored as hashes only.

CREATE TABLE app_qr_token (
  tenant_id uuid NOT NULL,
  id text NOT NULL,
  account_id uuid NOT NULL,
  secret_hash bytea NOT NULL,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  used_at timestamptz,
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, account_id) REFERENCES account (tenant_id, id)
);

CREATE TABLE app_device (
  tenant_id uuid NOT NULL,
  id uuid NOT NULL,
  account_id uuid NOT NULL,
  name text NOT NULL,
  secret_hash bytea NOT NULL,
  pin_hash text,
  -- Wrong PINs in a row; the fifth removes the device (SPEC 5). Counted before each check.
  pin_failures integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL,
  last_used_at timestamptz NOT NULL,
  removed_at timestamptz,
  removed_reason text,
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, account_id) REFERENCES account (tenant_id, id)
);
CREATE INDEX app_device_by_account ON app_device (tenant_id, account_id);

-- An e-mail+password app login waiting for its second factor.
CREATE TABLE app_login_challenge (
  tenant_id uuid NOT NULL,
  id text NOT NULL,
  account_id uuid NOT NULL,
  secret_hash bytea NOT NULL,
  device_name text NOT NULL,
  code_failures integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  completed_at timestamptz,
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, account_id) REFERENCES account (tenant_id, id)
);

CREATE TABLE app_access_token (
  tenant_id uuid NOT NULL,
  id text NOT NULL,
  device_id uuid NOT NULL,
  account_id uuid NOT NULL,
  secret_hash bytea NOT NULL,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  revoked_at timestamptz,
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, device_id) REFERENCES app_device (tenant_id, id)
);
CREATE INDEX app_access_token_by_device ON app_access_token (tenant_id, device_id);
