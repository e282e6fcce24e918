// Runs carry the time budget the user set (issue #18): seconds of training the planner spends
// (services/planner/budget.ts). null = the default budget.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table compression_runs add column budget_seconds double precision`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table compression_runs drop column budget_seconds`.execute(db);
}
