// Kysely types of the embedded runner's tables (migrations/0003_runner.ts).
import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Json = ColumnType<unknown, string | undefined, string>;
type JsonNullable = ColumnType<unknown, string | null | undefined, string | null>;

export interface RunnerRunsTable {
  run_id: string;
  workflow: string;
  input: Json;
  state: Generated<'pending' | 'running' | 'completed' | 'failed'>;
  cancel_requested: Generated<boolean>;
  lease_owner: string | null;
  lease_expires_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  claims: Generated<number>;
  result: JsonNullable;
  error: string | null;
  created_at: Generated<Date>;
  updated_at: Timestamp;
}

export interface RunnerJournalTable {
  run_id: string;
  seq: number;
  kind: 'activity' | 'patch';
  name: string;
  status: 'started' | 'completed' | 'failed';
  attempt: Generated<number>;
  result: JsonNullable;
  failure: JsonNullable;
  heartbeat_details: JsonNullable;
  /** Names a call made concurrently with others (e.g. 'runStep:s2'); null for sequential calls. */
  call_id: ColumnType<string | null, string | null | undefined, string | null>;
  updated_at: Timestamp;
}

export interface RunnerTables {
  runner_runs: RunnerRunsTable;
  runner_journal: RunnerJournalTable;
}
