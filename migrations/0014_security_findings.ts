// Issue #12 (security findings):
// - Completing an upload is idempotent: a model version or dataset records the upload it came
//   from, at most once, so concurrent completeModelUpload / completeDatasetUpload calls register
//   one row between them.
// - A member's display name belongs to the membership: inviting the e-mail of a person another
//   organization knows no longer shows that organization's name for them.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  for (const table of ['model_versions', 'datasets']) {
    await sql.raw(`alter table ${table} add column upload_id uuid`).execute(db);
    await sql.raw(`create unique index ${table}_upload_idx on ${table} (upload_id) where upload_id is not null`).execute(db);
  }
  await sql`alter table memberships add column display_name text not null default '' check (length(display_name) <= 200)`.execute(db);
  // Existing members keep the name they have (system mode: memberships is row-level secured).
  await sql`select set_config('app.system', 'on', false)`.execute(db);
  await sql`update memberships m set display_name = u.display_name from users u where u.id = m.user_id`.execute(db);
  await sql`select set_config('app.system', '', false)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table memberships drop column display_name`.execute(db);
  for (const table of ['model_versions', 'datasets']) {
    await sql.raw(`drop index if exists ${table}_upload_idx`).execute(db);
    await sql.raw(`alter table ${table} drop column upload_id`).execute(db);
  }
}
