// Field statistics: what devices report about a published candidate (services/delivery/telemetry.ts),
// aggregated per candidate and device class. Nothing identifying a device or a person is stored:
// counts, sums and fixed latency histograms only (services/delivery/latency-histogram.ts).
import { sql, type Kysely } from 'kysely';
import { protectTenantTable } from '../services/db/rls.ts';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`create table candidate_field_stats (
    org_id uuid not null references organizations(id) on delete cascade,
    candidate_id uuid not null references candidates(id) on delete cascade,
    device_class text not null,
    reports bigint not null default 0,
    inferences bigint not null default 0,
    failures bigint not null default 0,
    load_reports bigint not null default 0,
    load_ms_sum double precision not null default 0,
    feedback_correct bigint not null default 0,
    feedback_total bigint not null default 0,
    p50_histogram bigint[] not null,
    p90_histogram bigint[] not null,
    updated_at timestamptz not null default now(),
    primary key (candidate_id, device_class)
  )`.execute(db);
  await protectTenantTable(db, 'candidate_field_stats', { privileges: ['SELECT', 'INSERT', 'UPDATE'] });
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table if exists candidate_field_stats cascade`.execute(db);
}
