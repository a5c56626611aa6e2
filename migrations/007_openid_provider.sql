-- Each organization's Ingang as the OpenID Connect provider of its platform (SPEC 10).

-- What oidc-provider keeps (sessions, interactions, codes, tokens, grants), one row per model and
-- id, within the organization like every table. Expired rows are removed by maintenance.
CREATE TABLE oidc_payload (
  tenant_id uuid NOT NULL REFERENCES organization (tenant_id),
  model text NOT NULL,
  id text NOT NULL,
  payload jsonb NOT NULL,
  grant_id text,
  uid text,
  user_code text,
  expires_at timestamptz,
  PRIMARY KEY (tenant_id, model, id)
);
CREATE INDEX oidc_payload_by_grant ON oidc_payload (tenant_id, grant_id) WHERE grant_id IS NOT NULL;
CREATE INDEX oidc_payload_by_uid ON oidc_payload (tenant_id, uid) WHERE uid IS NOT NULL;
CREATE INDEX oidc_payload_by_user_code ON oidc_payload (tenant_id, user_code) WHERE user_code IS NOT NULL;
CREATE INDEX oidc_payload_by_expiry ON oidc_payload (expires_at) WHERE expires_at IS NOT NULL;

-- The applications of the organization's platform. A confidential client's secret is kept as a
-- keyed digest only (it is shown once, when made).
CREATE TABLE oidc_client (
  tenant_id uuid NOT NULL REFERENCES organization (tenant_id),
  client_id text NOT NULL,
  name text NOT NULL,
  redirect_uris text[] NOT NULL,
  post_logout_redirect_uris text[] NOT NULL DEFAULT '{}',
  backchannel_logout_uri text,
  confidential boolean NOT NULL,
  secret_digest text,
  first_party boolean NOT NULL DEFAULT false,
  offline_access boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL,
  removed_at timestamptz,
  PRIMARY KEY (tenant_id, client_id),
  CHECK (confidential = (secret_digest IS NOT NULL))
);

-- Signing keys of each organization's issuer, made on first use, sealed with SECRET_KEY. A
-- retired key stays published until the tokens it signed have expired.
CREATE TABLE oidc_signing_key (
  tenant_id uuid NOT NULL REFERENCES organization (tenant_id),
  kid text NOT NULL,
  private_jwk_sealed text NOT NULL,
  created_at timestamptz NOT NULL,
  retired_at timestamptz,
  PRIMARY KEY (tenant_id, kid)
);
