// Two-class candidates record ROC AUC (issue #13 item 0: binary classifiers are evaluated at
// threshold 0.5 plus AUC), measured with the exported .tflite on the same test samples as accuracy.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table candidates add column auc double precision`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table candidates drop column if exists auc`.execute(db);
}
