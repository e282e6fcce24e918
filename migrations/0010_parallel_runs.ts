// Parallel runs. The embedded runner's journal names calls made concurrently (`call_id`, e.g.
// 'runStep:s2'), so a re-executed run finds each call's record whatever order concurrent calls
// start in. A run records the hardware class its training steps run on (the Temporal task queue
// `condense-cpu` / `condense-gpu`), chosen through the API or the CLI.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table runner_journal add column call_id text`.execute(db);
  await sql`create unique index runner_journal_call_id_idx on runner_journal (run_id, call_id) where call_id is not null`.execute(db);
  await sql`alter table compression_runs add column hardware_class text not null default 'cpu' check (hardware_class in ('cpu', 'gpu'))`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table compression_runs drop column hardware_class`.execute(db);
  await sql`drop index if exists runner_journal_call_id_idx`.execute(db);
  await sql`alter table runner_journal drop column call_id`.execute(db);
}
