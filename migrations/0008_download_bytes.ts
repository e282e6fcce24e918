// Candidates record the gzip-compressed size of their .tflite (what a client downloads with
// Accept-Encoding: gzip) beside the raw file size.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table candidates add column download_bytes bigint`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table candidates drop column download_bytes`.execute(db);
}
