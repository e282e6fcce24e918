// Candidates record the accuracy of the float (tfjs) model their .tflite file was exported from,
// measured on the same test samples, so the export-fidelity rule
// (services/planner/select.ts) can be checked and shown: a file that loses more than a
// few points against its own source is a broken export.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table candidates add column source_accuracy double precision`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table candidates drop column if exists source_accuracy`.execute(db);
}
