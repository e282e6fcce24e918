// Model versions keep the pre-flight made at upload (issue #14 item 2): per hardware target,
// whether the model exports, which layers block it and why; parameters, MACs, activation memory.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table model_versions add column preflight jsonb`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table model_versions drop column preflight`.execute(db);
}
