-- SPEC 6, /admin/branding: an organization's own colour, logo and favicon. The colour and the
-- digests of the images sit on the organization (every page names them); the images themselves
-- are rows of their own, sharded with the organization's other data on Citus.
ALTER TABLE organization ADD COLUMN brand_color text;
ALTER TABLE organization ADD COLUMN logo_digest text;
ALTER TABLE organization ADD COLUMN favicon_digest text;
ALTER TABLE organization ADD CONSTRAINT organization_brand_color_format CHECK (brand_color ~ '^#[0-9a-f]{6}$');

-- A logo or favicon as uploaded (PNG or checked SVG, src/tenants/brand-image.ts).
CREATE TABLE brand_image (
  tenant_id uuid NOT NULL REFERENCES organization (tenant_id),
  kind text NOT NULL CHECK (kind IN ('logo', 'favicon')),
  content_type text NOT NULL CHECK (content_type IN ('image/png', 'image/svg+xml')),
  data bytea NOT NULL,
  digest text NOT NULL,
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, kind)
);
