-- Back-channel logout of the applications a browser login reached (SPEC 10).

-- Which applications got an authorization from which Ingang login (a web session's `login_id`,
-- the same across its id renewals), with the provider session and the `sid` the application was
-- told. When the login ends, each such application with a back-channel logout URI is told, and
-- the provider session ends with it; a provider session bound to no live login logs nobody in.
CREATE TABLE oidc_login_link (
  tenant_id uuid NOT NULL REFERENCES organization (tenant_id),
  login_id uuid NOT NULL,
  client_id text NOT NULL,
  account_id uuid NOT NULL,
  provider_session_uid text NOT NULL,
  sid text NOT NULL,
  created_at timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, login_id, client_id)
);
CREATE INDEX oidc_login_link_by_account ON oidc_login_link (tenant_id, account_id);
CREATE INDEX oidc_login_link_by_provider_session ON oidc_login_link (tenant_id, provider_session_uid);
