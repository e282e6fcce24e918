// Row-level security building blocks shared by every migration that adds tenant data.
//
// Model: request code runs as APP_ROLE (non-owner, NOBYPASSRLS) inside withTenant(), which sets
// `app.org_id` for the transaction. Every tenant table has RLS ENABLEd and FORCEd, so even the
// table owner is filtered unless it explicitly enters system mode (`app.system = 'on'`, see
// withSystem()); the app role can never use system mode because the policy checks current_user.
import { sql, type Kysely, type RawBuilder } from 'kysely';

/** The role request code runs as. Roles are cluster-wide; privileges are per database. */
export const APP_ROLE = 'condense_app';

/** SQL for "the org of the current transaction" (NULL when unset, so nothing matches). */
export const CURRENT_ORG_SQL = `nullif(current_setting('app.org_id', true), '')::uuid`;

/** SQL for "owner-side system code that opted in with withSystem()". */
export const SYSTEM_MODE_SQL = `(current_user <> '${APP_ROLE}' AND current_setting('app.system', true) = 'on')`;

const IDENT = /^[a-z_][a-z0-9_]*$/;

function ident(name: string): string {
  if (!IDENT.test(name)) throw new Error(`not a plain SQL identifier: ${name}`);
  return `"${name}"`;
}

/** Creates APP_ROLE if missing and lets the session user SET ROLE to it; racing creators and
 * granters (migrations of two databases at once on one server) are tolerated. */
export async function ensureAppRole(db: Kysely<any>): Promise<void> {
  await sql
    .raw(
      `DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${APP_ROLE}') THEN
    BEGIN
      CREATE ROLE ${APP_ROLE} NOLOGIN NOSUPERUSER NOBYPASSRLS NOINHERIT;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
    END;
  END IF;
  IF NOT pg_has_role(current_user, '${APP_ROLE}', 'MEMBER') THEN
    BEGIN
      EXECUTE format('GRANT ${APP_ROLE} TO %I', current_user);
    EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
    END;
  END IF;
END $$`,
    )
    .execute(db);
  await sql.raw(`GRANT USAGE ON SCHEMA public TO ${APP_ROLE}`).execute(db);
}

export interface TenantTableOptions {
  /** Privileges for APP_ROLE; default full DML. Append-only tables pass ['SELECT', 'INSERT']. */
  privileges?: Array<'SELECT' | 'INSERT' | 'UPDATE' | 'DELETE'>;
  /** Column holding the tenant id; default `org_id`. */
  column?: string;
}

/**
 * Enables and forces RLS on a tenant table, adds the isolation policy and grants APP_ROLE.
 * Call it in the `up` of every migration that creates a table with an `org_id` column.
 */
export async function protectTenantTable(db: Kysely<any>, table: string, options: TenantTableOptions = {}): Promise<void> {
  const t = ident(table);
  const column = ident(options.column ?? 'org_id');
  const privileges = options.privileges ?? ['SELECT', 'INSERT', 'UPDATE', 'DELETE'];
  const statements = [
    `ALTER TABLE ${t} ENABLE ROW LEVEL SECURITY`,
    `ALTER TABLE ${t} FORCE ROW LEVEL SECURITY`,
    `CREATE POLICY tenant_isolation ON ${t}
       USING (${column} = ${CURRENT_ORG_SQL} OR ${SYSTEM_MODE_SQL})
       WITH CHECK (${column} = ${CURRENT_ORG_SQL} OR ${SYSTEM_MODE_SQL})`,
    `GRANT ${privileges.join(', ')} ON ${t} TO ${APP_ROLE}`,
  ];
  for (const statement of statements) await sql.raw(statement).execute(db);
}

/** Undo of protectTenantTable for a `down` that keeps the table (dropping the table drops the policy too). */
export async function unprotectTenantTable(db: Kysely<any>, table: string): Promise<void> {
  const t = ident(table);
  for (const statement of [
    `REVOKE ALL ON ${t} FROM ${APP_ROLE}`,
    `DROP POLICY IF EXISTS tenant_isolation ON ${t}`,
    `ALTER TABLE ${t} NO FORCE ROW LEVEL SECURITY`,
    `ALTER TABLE ${t} DISABLE ROW LEVEL SECURITY`,
  ]) {
    await sql.raw(statement).execute(db);
  }
}

/** `sql` fragment for use in hand-written policies. */
export function currentOrg(): RawBuilder<string | null> {
  return sql<string | null>`nullif(current_setting('app.org_id', true), '')::uuid`;
}
