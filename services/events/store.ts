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
 * row-locks the run, which serialises concurrent appenders of one run without gaps.
 */
export async function appendRunEvent(trx: Kysely<DB>, input: AppendRunEventInput): Promise<RunEvent> {
  if (!RUN_EVENT_TYPES.includes(input.type)) throw new Error(`unknown run event type ${String(input.type)}`);
  const bumped = await trx
    .updateTable('compression_runs')
    .set({ event_seq: sql`event_seq + 1`, updated_at: sql`now()` })
    .where('id', '=', input.runId)
    .where('org_id', '=', input.orgId)
    .returning('event_seq')
    .executeTakeFirst();
  if (!bumped) throw new UnknownRunError(input.runId);
  const payload = input.payload ?? {};
  const row = await trx
    .insertInto('run_events')
    .values({
      org_id: input.orgId,
      run_id: input.runId,
      seq: bumped.event_seq,
      type: input.type,
      payload: JSON.stringify(payload),
    })
    .returning(['created_at'])
    .executeTakeFirstOrThrow();
  const notice = JSON.stringify({ orgId: input.orgId, runId: input.runId, seq: bumped.event_seq });
  await sql`select pg_notify(${RUN_EVENTS_CHANNEL}, ${notice})`.execute(trx);
  return { orgId: input.orgId, runId: input.runId, seq: bumped.event_seq, type: input.type, payload, createdAt: row.created_at };
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
