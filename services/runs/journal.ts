// Durable state of the embedded runner: runs, their leases and the journal of activity calls.
// Every write made on behalf of a run checks, in the same transaction, that this process still
// holds the run's lease, so a process that lost its lease (paused, partitioned) cannot overwrite
// the work of the process that took the run over.
import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/types/index.ts';

export class LeaseLostError extends Error {
  constructor(runId: string) {
    super(`lost the lease on run ${runId}: another runner took it over`);
    this.name = 'LeaseLostError';
  }
}

export interface JournalEntry {
  seq: number;
  kind: 'activity' | 'patch';
  name: string;
  status: 'started' | 'completed' | 'failed';
  attempt: number;
  result: unknown;
  failure: RecordedFailure | null;
  heartbeatDetails: unknown;
  /** The call's name when the orchestration gave it one (concurrent calls; see CallOptions.id). */
  callId?: string | null;
}

export interface RecordedFailure {
  type: string;
  message: string;
  cancelled?: boolean;
}

export interface ClaimedRun {
  runId: string;
  workflow: string;
  input: unknown;
  cancelRequested: boolean;
  claims: number;
}

const json = (value: unknown) => (value === undefined ? null : JSON.stringify(value));

export class RunJournal {
  constructor(
    private readonly db: Kysely<DB>,
    readonly owner: string,
    private readonly leaseMs: number,
  ) {}

  /** Registers a run to execute; a second enqueue of the same run is a no-op. */
  async enqueue(runId: string, workflow: string, input: unknown): Promise<void> {
    await this.db
      .insertInto('runner_runs')
      .values({ run_id: runId, workflow, input: JSON.stringify(input), updated_at: sql`now()` as never })
      .onConflict((oc) => oc.column('run_id').doNothing())
      .execute();
  }

  async requestCancel(runId: string): Promise<boolean> {
    const res = await this.db
      .updateTable('runner_runs')
      .set({ cancel_requested: true, updated_at: sql`now()` as never })
      .where('run_id', '=', runId)
      .where('state', 'in', ['pending', 'running'])
      .executeTakeFirst();
    return Number(res.numUpdatedRows) > 0;
  }

  /**
   * Claims one runnable run whose lease is free or expired. SKIP LOCKED lets several processes
   * poll at once without blocking; the conditional UPDATE makes the claim exclusive.
   */
  async claimNext(): Promise<ClaimedRun | null> {
    const rows = await sql<{ run_id: string; workflow: string; input: unknown; cancel_requested: boolean; claims: number }>`
      update runner_runs set
        lease_owner = ${this.owner},
        lease_expires_at = now() + ${`${this.leaseMs} milliseconds`}::interval,
        state = 'running',
        claims = claims + 1,
        updated_at = now()
      where run_id = (
        select run_id from runner_runs
         where state in ('pending', 'running')
           and (lease_owner is null or lease_expires_at < now())
         order by created_at
         limit 1
         for update skip locked
      )
      and (lease_owner is null or lease_expires_at < now())
      returning run_id, workflow, input, cancel_requested, claims`.execute(this.db);
    const row = rows.rows[0];
    if (!row) return null;
    return { runId: row.run_id, workflow: row.workflow, input: row.input, cancelRequested: row.cancel_requested, claims: row.claims };
  }

  /** Extends the lease; returns whether cancellation was requested. Throws LeaseLostError. */
  async renew(runId: string): Promise<{ cancelRequested: boolean }> {
    const row = await sql<{ cancel_requested: boolean }>`
      update runner_runs set lease_expires_at = now() + ${`${this.leaseMs} milliseconds`}::interval
       where run_id = ${runId} and lease_owner = ${this.owner} and state = 'running'
      returning cancel_requested`.execute(this.db);
    if (!row.rows[0]) throw new LeaseLostError(runId);
    return { cancelRequested: row.rows[0].cancel_requested };
  }

  async entries(runId: string): Promise<JournalEntry[]> {
    const rows = await this.db.selectFrom('runner_journal').selectAll().where('run_id', '=', runId).orderBy('seq').execute();
    return rows.map((r) => ({
      seq: r.seq,
      kind: r.kind,
      name: r.name,
      status: r.status,
      attempt: r.attempt,
      result: r.result,
      failure: (r.failure as RecordedFailure | null) ?? null,
      heartbeatDetails: r.heartbeat_details ?? undefined,
      callId: r.call_id,
    }));
  }

  /** Writes (insert or update) one journal row, only while holding the lease. */
  async write(runId: string, entry: Omit<JournalEntry, 'heartbeatDetails'> & { heartbeatDetails?: unknown }): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await this.assertLease(trx, runId);
      await trx
        .insertInto('runner_journal')
        .values({
          run_id: runId,
          seq: entry.seq,
          kind: entry.kind,
          name: entry.name,
          status: entry.status,
          attempt: entry.attempt,
          result: json(entry.result),
          failure: json(entry.failure ?? undefined),
          heartbeat_details: json(entry.heartbeatDetails),
          call_id: entry.callId ?? null,
          updated_at: sql`now()` as never,
        })
        .onConflict((oc) =>
          oc.columns(['run_id', 'seq']).doUpdateSet((eb) => ({
            status: eb.ref('excluded.status'),
            attempt: eb.ref('excluded.attempt'),
            result: eb.ref('excluded.result'),
            failure: eb.ref('excluded.failure'),
            // A completion keeps the last checkpoint unless it brings its own.
            heartbeat_details: sql`coalesce(excluded.heartbeat_details, runner_journal.heartbeat_details)`,
            updated_at: sql`now()`,
          })),
        )
        .execute();
    });
  }

  /** Stores the latest heartbeat details of a running activity (its checkpoint). */
  async saveHeartbeat(runId: string, seq: number, details: unknown): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await this.assertLease(trx, runId);
      await trx
        .updateTable('runner_journal')
        .set({ heartbeat_details: json(details), updated_at: sql`now()` as never })
        .where('run_id', '=', runId)
        .where('seq', '=', seq)
        .where('status', '=', 'started')
        .execute();
    });
  }

  /** Marks the run finished and releases the lease. */
  async finish(runId: string, outcome: { state: 'completed' | 'failed'; result?: unknown; error?: string }): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await this.assertLease(trx, runId);
      await trx
        .updateTable('runner_runs')
        .set({
          state: outcome.state,
          result: json(outcome.result),
          error: outcome.error ?? null,
          lease_owner: null,
          lease_expires_at: null,
          updated_at: sql`now()` as never,
        })
        .where('run_id', '=', runId)
        .execute();
    });
  }

  /** Gives the lease up without finishing (shutdown): another process may continue the run. */
  async release(runId: string): Promise<void> {
    await this.db
      .updateTable('runner_runs')
      .set({ lease_owner: null, lease_expires_at: null, updated_at: sql`now()` as never })
      .where('run_id', '=', runId)
      .where('lease_owner', '=', this.owner)
      .execute();
  }

  async runState(runId: string): Promise<{ state: string; result: unknown; error: string | null; cancelRequested: boolean } | null> {
    const row = await this.db
      .selectFrom('runner_runs')
      .select(['state', 'result', 'error', 'cancel_requested'])
      .where('run_id', '=', runId)
      .executeTakeFirst();
    return row ? { state: row.state, result: row.result, error: row.error, cancelRequested: row.cancel_requested } : null;
  }

  private async assertLease(trx: Kysely<DB>, runId: string): Promise<void> {
    const held = await trx
      .selectFrom('runner_runs')
      .select('run_id')
      .where('run_id', '=', runId)
      .where('lease_owner', '=', this.owner)
      .forUpdate()
      .executeTakeFirst();
    if (!held) throw new LeaseLostError(runId);
  }
}
