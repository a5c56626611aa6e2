-- Foundation: organizations, accounts, tokens, web sessions, rate limits, jobs, audit.
-- Every table carries tenant_id and every key starts with it, so each table can be
-- distributed by tenant_id on Citus (organization and organization_host as reference tables).
-- Times are always passed in from the application's clock, never taken from now(), so tests
-- can move time.

CREATE TABLE organization (
  tenant_id uuid PRIMARY KEY,
  slug text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$'),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  default_locale text NOT NULL CHECK (default_locale IN ('nl', 'en')),
  helpdesk_contact text NOT NULL DEFAULT '',
  policy jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at timestamptz NOT NULL
);

CREATE TABLE organization_host (
  tenant_id uuid NOT NULL REFERENCES organization (tenant_id),
  hostname text NOT NULL CHECK (hostname = lower(hostname)),
  is_primary boolean NOT NULL DEFAULT false,
  PRIMARY KEY (tenant_id, hostname)
);
CREATE UNIQUE INDEX organization_host_by_hostname ON organization_host (hostname);

CREATE TABLE account (
  tenant_id uuid NOT NULL REFERENCES organization (tenant_id),
  id uuid NOT NULL,
  email text NOT NULL,
  email_normalized text NOT NULL,
  name text NOT NULL,
  role text NOT NULL CHECK (role IN ('client', 'professional', 'helpdesk', 'admin')),
  state text NOT NULL CHECK (state IN ('invited', 'active', 'deactivated')),
  locale text CHECK (locale IN ('nl', 'en')),
  password_hash text,
  password_changed_at timestamptz,
  failed_login_count integer NOT NULL DEFAULT 0,
  last_failed_login_at timestamptz,
  created_by uuid,
  created_at timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, email_normalized)
);

-- A professional's clients: made when a professional creates a client account.
CREATE TABLE care_relation (
  tenant_id uuid NOT NULL,
  professional_id uuid NOT NULL,
  client_id uuid NOT NULL,
  created_at timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, professional_id, client_id),
  FOREIGN KEY (tenant_id, professional_id) REFERENCES account (tenant_id, id),
  FOREIGN KEY (tenant_id, client_id) REFERENCES account (tenant_id, id)
);

-- Welcome and password-reset links. The link carries id.secret; only a hash of the secret is kept.
CREATE TABLE account_token (
  tenant_id uuid NOT NULL,
  id text NOT NULL,
  account_id uuid NOT NULL,
  purpose text NOT NULL CHECK (purpose IN ('welcome', 'reset')),
  secret_hash bytea NOT NULL,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  used_at timestamptz,
  superseded_at timestamptz,
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, account_id) REFERENCES account (tenant_id, id)
);
CREATE INDEX account_token_by_account ON account_token (tenant_id, account_id, purpose);

-- Browser sessions, also before login (they carry the CSRF binding and a pending login).
-- Facts are stored; what the holder may do next is derived from them in sessions/next-step.ts.
CREATE TABLE web_session (
  tenant_id uuid NOT NULL REFERENCES organization (tenant_id),
  id text NOT NULL,
  secret_hash bytea NOT NULL,
  account_id uuid,
  created_at timestamptz NOT NULL,
  last_seen_at timestamptz NOT NULL,
  authenticated_at timestamptz,
  password_verified_at timestamptz,
  second_factor_verified_at timestamptz,
  ip text,
  user_agent text,
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, account_id) REFERENCES account (tenant_id, id)
);
CREATE INDEX web_session_by_account ON web_session (tenant_id, account_id);

-- Fixed-window counters for throttling (per IP, per address, per token guess).
CREATE TABLE rate_limit (
  tenant_id uuid NOT NULL,
  key text NOT NULL,
  window_start timestamptz NOT NULL,
  count integer NOT NULL,
  PRIMARY KEY (tenant_id, key)
);

-- Durable work queue: e-mails and SMS to send, and requests whose work must happen off the
-- request path (forgot password, registration) so the answer cannot reveal an account.
CREATE TABLE job (
  tenant_id uuid NOT NULL REFERENCES organization (tenant_id),
  id uuid NOT NULL,
  -- First in, first out: mails reach a person in the order they were caused.
  seq bigint GENERATED ALWAYS AS IDENTITY,
  kind text NOT NULL,
  payload jsonb NOT NULL,
  created_at timestamptz NOT NULL,
  run_at timestamptz NOT NULL,
  attempts integer NOT NULL DEFAULT 0,
  locked_until timestamptz,
  done_at timestamptz,
  failed_at timestamptz,
  last_error text,
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX job_due ON job (run_at, seq) WHERE done_at IS NULL AND failed_at IS NULL;

-- Audit trail (NEN 7513): append only, kept at least five years; the application never
-- updates or deletes a row, and the triggers below refuse it to anyone who tries.
CREATE TABLE audit_event (
  tenant_id uuid NOT NULL REFERENCES organization (tenant_id),
  id bigint GENERATED ALWAYS AS IDENTITY,
  occurred_at timestamptz NOT NULL,
  event text NOT NULL CHECK (event ~ '^[a-z][a-z0-9_]*$'),
  outcome text NOT NULL CHECK (outcome IN ('success', 'failure')),
  actor_account_id uuid,
  subject_account_id uuid,
  ip text,
  user_agent text,
  request_id text,
  details jsonb NOT NULL DEFAULT '{}'::jsonb,
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX audit_event_by_time ON audit_event (tenant_id, occurred_at DESC);
CREATE INDEX audit_event_by_subject ON audit_event (tenant_id, subject_account_id, occurred_at DESC);

CREATE FUNCTION audit_event_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_event is append-only';
END;
$$;
CREATE TRIGGER audit_event_no_update_or_delete BEFORE UPDATE OR DELETE ON audit_event
  FOR EACH ROW EXECUTE FUNCTION audit_event_is_append_only();
CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event
  FOR EACH STATEMENT EXECUTE FUNCTION audit_event_is_append_only();
