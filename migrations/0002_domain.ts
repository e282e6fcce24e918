// Domain tables of the API: models, datasets, uploads, compression runs, their events and
// candidates, deployments, app keys and idempotency records. Every table carries org_id and is
// isolated by row-level security on `app.org_id`, like the core tables of 0001.
import { sql, type Kysely } from 'kysely';
import { APP_ROLE, protectTenantTable } from '../services/db/rls.ts';

/** Tables in creation order (drop order is the reverse). */
const TENANT_TABLES = [
  'models',
  'model_versions',
  'datasets',
  'uploads',
  'compression_runs',
  'run_events',
  'candidates',
  'deployments',
  'app_keys',
  'idempotency_keys',
] as const;

const CREATE_STATEMENTS = [
  `create table models (
    id uuid primary key default gen_random_uuid(),
    org_id uuid not null references organizations(id) on delete cascade,
    project_id uuid not null references projects(id) on delete cascade,
    name text not null,
    created_by uuid,
    created_at timestamptz not null default now(),
    unique (project_id, name)
  )`,
  `create index models_org_idx on models (org_id, created_at, id)`,
  `create table model_versions (
    id uuid primary key default gen_random_uuid(),
    org_id uuid not null references organizations(id) on delete cascade,
    model_id uuid not null references models(id) on delete cascade,
    version integer not null,
    filename text not null,
    format text not null,
    blob_sha256 text not null,
    bytes bigint not null,
    parameter_count bigint not null,
    signature jsonb not null,
    layer_types jsonb not null,
    created_by uuid,
    created_at timestamptz not null default now(),
    unique (model_id, version)
  )`,
  `create table datasets (
    id uuid primary key default gen_random_uuid(),
    org_id uuid not null references organizations(id) on delete cascade,
    project_id uuid not null references projects(id) on delete cascade,
    name text not null,
    filename text not null,
    format text not null,
    kind text not null,
    blob_sha256 text not null,
    bytes bigint not null,
    sample_count integer not null,
    num_classes integer not null,
    labels jsonb not null,
    splits jsonb not null,
    input_shape jsonb not null,
    created_by uuid,
    created_at timestamptz not null default now()
  )`,
  `create index datasets_org_idx on datasets (org_id, created_at, id)`,
  `create table uploads (
    id uuid primary key default gen_random_uuid(),
    org_id uuid not null references organizations(id) on delete cascade,
    purpose text not null check (purpose in ('model', 'dataset')),
    filename text not null,
    declared_bytes bigint not null,
    declared_sha256 text not null,
    status text not null default 'pending' check (status in ('pending', 'received', 'completed', 'rejected')),
    bytes bigint,
    error text,
    result_id uuid,
    created_by uuid,
    created_at timestamptz not null default now(),
    expires_at timestamptz not null,
    completed_at timestamptz
  )`,
  `create table compression_runs (
    id uuid primary key default gen_random_uuid(),
    org_id uuid not null references organizations(id) on delete cascade,
    project_id uuid not null references projects(id) on delete cascade,
    model_version_id uuid not null references model_versions(id),
    dataset_id uuid not null references datasets(id),
    status text not null default 'queued' check (status in ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
    phase text,
    targets jsonb not null,
    techniques jsonb,
    constraints jsonb not null default '{}'::jsonb,
    message text,
    retry_of uuid references compression_runs(id),
    event_seq integer not null default 0,
    cancel_requested_at timestamptz,
    created_by uuid,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    started_at timestamptz,
    finished_at timestamptz
  )`,
  `create index compression_runs_org_idx on compression_runs (org_id, created_at, id)`,
  `create table run_events (
    org_id uuid not null references organizations(id) on delete cascade,
    run_id uuid not null references compression_runs(id) on delete cascade,
    seq integer not null,
    type text not null,
    payload jsonb not null default '{}'::jsonb,
    created_at timestamptz not null default now(),
    primary key (run_id, seq)
  )`,
  `create table candidates (
    id uuid primary key default gen_random_uuid(),
    org_id uuid not null references organizations(id) on delete cascade,
    run_id uuid not null references compression_runs(id) on delete cascade,
    key text not null,
    target text not null,
    technique_chain jsonb not null,
    quantization text,
    status text not null check (status in ('succeeded', 'failed')),
    failure_stage text,
    failure_message text,
    accuracy double precision,
    bytes bigint,
    parameter_count bigint,
    estimated_latency_ms double precision,
    host_latency_ms double precision,
    compression_ratio double precision,
    speedup double precision,
    fits boolean,
    fit_failures jsonb not null default '[]'::jsonb,
    pareto boolean not null default false,
    tflite_sha256 text,
    tfjs_sha256 text,
    notes jsonb not null default '[]'::jsonb,
    created_at timestamptz not null default now(),
    unique (run_id, key)
  )`,
  `create table deployments (
    id uuid primary key default gen_random_uuid(),
    org_id uuid not null references organizations(id) on delete cascade,
    project_id uuid not null references projects(id) on delete cascade,
    channel text not null,
    candidate_id uuid not null references candidates(id),
    rollback_of uuid references deployments(id),
    created_by uuid,
    created_at timestamptz not null default now()
  )`,
  `create index deployments_channel_idx on deployments (project_id, channel, created_at desc)`,
  `create table app_keys (
    id uuid primary key default gen_random_uuid(),
    org_id uuid not null references organizations(id) on delete cascade,
    project_id uuid not null references projects(id) on delete cascade,
    name text not null,
    prefix text not null,
    secret_hash text not null unique,
    created_by uuid,
    created_at timestamptz not null default now(),
    last_used_at timestamptz,
    revoked_at timestamptz
  )`,
  `create table idempotency_keys (
    org_id uuid not null references organizations(id) on delete cascade,
    operation text not null,
    key text not null,
    request_hash text not null,
    response jsonb not null,
    created_at timestamptz not null default now(),
    primary key (org_id, operation, key)
  )`,
  // The app endpoint authenticates before any org is known: this narrow owner-side function maps
  // a hashed app key to its org and project and nothing else.
  `create function condense_lookup_app_key(p_secret_hash text)
    returns table (key_id uuid, org_id uuid, project_id uuid)
    language sql security definer set search_path = public, pg_temp set app.system = 'on'
    as $$
      update app_keys set last_used_at = now()
       where secret_hash = p_secret_hash and revoked_at is null
      returning id, org_id, project_id
    $$`,
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of CREATE_STATEMENTS) await sql.raw(statement).execute(db);
  for (const table of TENANT_TABLES) await protectTenantTable(db, table);
  await sql.raw(`revoke all on function condense_lookup_app_key(text) from public`).execute(db);
  await sql.raw(`grant execute on function condense_lookup_app_key(text) to ${APP_ROLE}`).execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql.raw('drop function if exists condense_lookup_app_key(text)').execute(db);
  for (const table of [...TENANT_TABLES].reverse()) {
    await sql.raw(`drop table if exists ${table} cascade`).execute(db);
  }
}
