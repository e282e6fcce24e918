// Content-addressed results of plan steps (one plugin call on one input model): the key hashes
// (input model, teacher, dataset and its split, plugin, plugin version, config, the run's targets)
// and the row lists the models the call returned, stored as blobs. A step that several candidates
// share, or that a retried/resumed run reaches again, is looked up here and never trained twice.
// Tenant data like the candidates: org_id and row-level security.
import { sql, type Kysely } from 'kysely';
import { protectTenantTable } from '../services/db/rls.ts';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table step_artifacts (
      org_id uuid not null references organizations(id) on delete cascade,
      key text not null,
      plugin text not null,
      plugin_version text not null,
      input_sha256 text not null,
      config jsonb not null,
      outputs jsonb not null,
      duration_ms integer not null default 0,
      created_at timestamptz not null default now(),
      primary key (org_id, key)
    )`.execute(db);
  await protectTenantTable(db, 'step_artifacts');
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table if exists step_artifacts cascade`.execute(db);
}
