// Channel rollouts: weighted, targeted assignment of candidates to the devices of a channel
// (services/delivery/rollout.ts). Append-only: the newest row of a channel is in force; an empty
// rule list means "every device gets the channel's latest deployment".
import { sql, type Kysely } from 'kysely';
import { protectTenantTable } from '../services/db/rls.ts';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`create table channel_rollouts (
    id uuid primary key default gen_random_uuid(),
    org_id uuid not null references organizations(id) on delete cascade,
    project_id uuid not null references projects(id) on delete cascade,
    channel text not null,
    rules jsonb not null,
    rollback_of uuid references channel_rollouts(id),
    created_by uuid,
    created_at timestamptz not null default now()
  )`.execute(db);
  await sql`create index channel_rollouts_channel_idx on channel_rollouts (project_id, channel, created_at desc)`.execute(db);
  await protectTenantTable(db, 'channel_rollouts');
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table if exists channel_rollouts cascade`.execute(db);
}
