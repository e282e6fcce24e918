// Appending and reading run events. Plain functions over a kysely transaction that already runs
// inside withTenant(), so RLS scopes every statement to the caller's organization.
import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/types/index.ts';
import { RUN_EVENT_TYPES, RUN_EVENTS_CHANNEL, type RunEvent, type RunEventPayload, type RunEventType } from './types.ts';

export interface AppendRunEventInput {
  orgId: string;
  runId: string;
  type: RunEventType;
  payload?: RunEventPayload;
}

export class UnknownRunError extends Error {
  constructor(runId: string) {
    super(`run ${runId} does not exist`);
    this.name = 'UnknownRunError';
  }
}

/**
 * Appends one event with the next per-run sequence number and NOTIFYs listeners (delivered at
 * commit, so a listener never sees an id it cannot read yet). Bumping `compression_runs.event_seq`
 * row-locks the run, which serialises concurrent appenders of one run without gaps. One statement
 * (bump, insert and notify as one data-modifying CTE): progress events are the runner's most
 * frequent write.
 */
export async function appendRunEvent(trx: Kysely<DB>, input: AppendRunEventInput): Promise<RunEvent> {
  if (!RUN_EVENT_TYPES.includes(input.type)) throw new Error(`unknown run event type ${String(input.type)}`);
  const payload = input.payload ?? {};
  const { rows } = await sql<{ seq: number; created_at: Date }>`
    with bumped as (
      update compression_runs set event_seq = event_seq + 1, updated_at = now()
       where id = ${input.runId}::uuid and org_id = ${input.orgId}::uuid
      returning event_seq
    ), inserted as (
      insert into run_events (org_id, run_id, seq, type, payload)
      select ${input.orgId}::uuid, ${input.runId}::uuid, event_seq, ${input.type}, ${JSON.stringify(payload)}::jsonb from bumped
      returning seq, created_at
    )
    select seq, created_at, pg_notify(${RUN_EVENTS_CHANNEL}, json_build_object('orgId', ${input.orgId}::text, 'runId', ${input.runId}::text, 'seq', seq)::text)
      from inserted`.execute(trx);
  const row = rows[0];
  if (!row) throw new UnknownRunError(input.runId);
  return { orgId: input.orgId, runId: input.runId, seq: row.seq, type: input.type, payload, createdAt: row.created_at };
}

/** Events of a run with seq > afterSeq, oldest first, at most `limit`. */
export async function listRunEvents(trx: Kysely<DB>, runId: string, afterSeq: number, limit: number): Promise<RunEvent[]> {
  const rows = await trx
    .selectFrom('run_events')
    .selectAll()
    .where('run_id', '=', runId)
    .where('seq', '>', afterSeq)
    .orderBy('seq')
    .limit(limit)
    .execute();
  return rows.map((row) => ({
    orgId: row.org_id,
    runId: row.run_id,
    seq: row.seq,
    type: row.type as RunEventType,
    payload: row.payload as RunEventPayload,
    createdAt: row.created_at,
  }));
}

export async function countRunEvents(trx: Kysely<DB>, runId: string): Promise<number> {
  const row = await trx
    .selectFrom('run_events')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('run_id', '=', runId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
