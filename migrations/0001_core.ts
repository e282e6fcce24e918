// Core multi-tenant schema: organizations, global users, memberships, teams, API keys,
// projects and the audit log, with row-level security on every tenant table.
// Plain SQL accepted by both PostgreSQL 15 (CI) and PGlite (PostgreSQL 18).
import type { Kysely } from 'kysely';
import { APP_ROLE, CURRENT_ORG_SQL, SYSTEM_MODE_SQL, ensureAppRole, protectTenantTable } from '../services/db/rls.ts';
import { runScript } from '../services/db/script.ts';

const TABLES = `
CREATE TABLE organizations (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  slug text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE users (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  email text NOT NULL UNIQUE CHECK (email = lower(email) AND email LIKE '%_@_%'),
  display_name text NOT NULL DEFAULT '',
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE memberships (
  org_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  role text NOT NULL CHECK (role IN ('owner', 'admin', 'member', 'viewer')),
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (org_id, user_id)
);
CREATE INDEX memberships_user_idx ON memberships (user_id);

CREATE TABLE teams (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (org_id, name),
  -- Target of composite foreign keys, so a row can only point at a team of its own org.
  UNIQUE (org_id, id)
);

CREATE TABLE team_members (
  org_id uuid NOT NULL,
  team_id uuid NOT NULL,
  user_id uuid NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (team_id, user_id),
  FOREIGN KEY (org_id, team_id) REFERENCES teams (org_id, id) ON DELETE CASCADE,
  FOREIGN KEY (org_id, user_id) REFERENCES memberships (org_id, user_id) ON DELETE CASCADE
);
CREATE INDEX team_members_org_idx ON team_members (org_id, user_id);

CREATE TABLE api_keys (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id uuid NOT NULL,
  user_id uuid NOT NULL,
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  prefix text NOT NULL,
  secret_hash text NOT NULL UNIQUE CHECK (secret_hash ~ '^[0-9a-f]{64}$'),
  scopes text[] NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz,
  expires_at timestamptz,
  revoked_at timestamptz,
  -- Removing someone from an org removes their keys for it.
  FOREIGN KEY (org_id, user_id) REFERENCES memberships (org_id, user_id) ON DELETE CASCADE
);
CREATE INDEX api_keys_org_idx ON api_keys (org_id, created_at);

CREATE TABLE projects (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  team_id uuid,
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  description text NOT NULL DEFAULT '',
  created_at timestamptz NOT NULL DEFAULT now(),
  archived_at timestamptz,
  UNIQUE (org_id, id),
  FOREIGN KEY (org_id, team_id) REFERENCES teams (org_id, id) ON DELETE SET NULL (team_id)
);
CREATE UNIQUE INDEX projects_active_name_idx ON projects (org_id, name) WHERE archived_at IS NULL;

CREATE TABLE audit_log (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  -- No foreign keys to actors: the trail outlives the users and keys it mentions.
  actor_user_id uuid,
  actor_api_key_id uuid,
  action text NOT NULL CHECK (length(action) BETWEEN 1 AND 200),
  target_type text,
  target_id text,
  details jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_log_org_time_idx ON audit_log (org_id, created_at);
`;

// Organizations and users have no org_id column; their policies are written by hand.
const GLOBAL_POLICIES = `
ALTER TABLE organizations ENABLE ROW LEVEL SECURITY;
ALTER TABLE organizations FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON organizations
  USING (id = ${CURRENT_ORG_SQL} OR ${SYSTEM_MODE_SQL})
  WITH CHECK (id = ${CURRENT_ORG_SQL} OR ${SYSTEM_MODE_SQL});
GRANT SELECT, UPDATE (name) ON organizations TO ${APP_ROLE};

-- A user is visible to an org only while they are a member of it (memberships is itself
-- filtered by RLS, so the sub-query only sees the current org's rows).
ALTER TABLE users ENABLE ROW LEVEL SECURITY;
ALTER TABLE users FORCE ROW LEVEL SECURITY;
CREATE POLICY member_visibility ON users
  USING (EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = users.id) OR ${SYSTEM_MODE_SQL})
  WITH CHECK (EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = users.id) OR ${SYSTEM_MODE_SQL});
GRANT SELECT, UPDATE (display_name) ON users TO ${APP_ROLE};
`;

// Narrow SECURITY DEFINER door for inviting a user by e-mail: users are global, so the
// request role cannot look up or create them itself. Returns the id only.
const FUNCTIONS = `
CREATE FUNCTION condense_ensure_user(p_email text, p_display_name text) RETURNS uuid
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp SET app.system = 'on' AS $fn$
DECLARE
  v_id uuid;
BEGIN
  INSERT INTO users (email, display_name) VALUES (lower(trim(p_email)), coalesce(p_display_name, ''))
  ON CONFLICT (email) DO NOTHING RETURNING id INTO v_id;
  IF v_id IS NULL THEN
    SELECT id INTO v_id FROM users WHERE email = lower(trim(p_email));
  END IF;
  RETURN v_id;
END
$fn$;
REVOKE ALL ON FUNCTION condense_ensure_user(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION condense_ensure_user(text, text) TO ${APP_ROLE};
`;

export async function up(db: Kysely<any>): Promise<void> {
  await ensureAppRole(db);
  await runScript(db, TABLES);
  await runScript(db, GLOBAL_POLICIES);
  for (const table of ['memberships', 'teams', 'team_members', 'api_keys', 'projects']) {
    await protectTenantTable(db, table);
  }
  // The audit trail is append-only for request code.
  await protectTenantTable(db, 'audit_log', { privileges: ['SELECT', 'INSERT'] });
  await runScript(db, FUNCTIONS);
}

export async function down(db: Kysely<any>): Promise<void> {
  await runScript(
    db,
    `
DROP FUNCTION IF EXISTS condense_ensure_user(text, text);
DROP POLICY IF EXISTS member_visibility ON users;
DROP TABLE IF EXISTS audit_log;
DROP TABLE IF EXISTS projects;
DROP TABLE IF EXISTS api_keys;
DROP TABLE IF EXISTS team_members;
DROP TABLE IF EXISTS teams;
DROP TABLE IF EXISTS memberships;
DROP TABLE IF EXISTS users;
DROP TABLE IF EXISTS organizations;
REVOKE USAGE ON SCHEMA public FROM ${APP_ROLE};
`,
  );
  // The role itself stays: roles are cluster-wide and other databases on the server may use it.
}
