// Tables of the embedded runner (used when TEMPORAL_ADDRESS is unset): one row per run it executes
// and a journal of the run's activity calls, so a restarted process re-executes the orchestration
// and gets recorded results back instead of re-running finished work (event sourcing, like
// Temporal's history). These are system tables of the runner, read and written by the runner as
// the database owner, never by request code; like Temporal's own persistence they hold no org_id
// column (the org id is inside `input`) and tenant data stays behind RLS in the domain tables.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table runner_runs (
      run_id uuid primary key,
      workflow text not null,
      input jsonb not null,
      state text not null default 'pending' check (state in ('pending', 'running', 'completed', 'failed')),
      cancel_requested boolean not null default false,
      lease_owner text,
      lease_expires_at timestamptz,
      claims integer not null default 0,
      result jsonb,
      error text,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    )`.execute(db);
  await sql`create index runner_runs_claimable_idx on runner_runs (state, created_at) where state in ('pending', 'running')`.execute(db);
  await sql`
    create table runner_journal (
      run_id uuid not null references runner_runs(run_id) on delete cascade,
      seq integer not null,
      kind text not null check (kind in ('activity', 'patch')),
      name text not null,
      status text not null check (status in ('started', 'completed', 'failed')),
      attempt integer not null default 0,
      result jsonb,
      failure jsonb,
      heartbeat_details jsonb,
      updated_at timestamptz not null default now(),
      primary key (run_id, seq)
    )`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table if exists runner_journal`.execute(db);
  await sql`drop table if exists runner_runs`.execute(db);
}
