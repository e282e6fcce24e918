// Kysely types of model delivery (migrations/0007_channel_rollouts.ts, 0015_field_stats.ts).
import type { ColumnType, Generated } from 'kysely';
import type { RolloutRule } from '../../delivery/rollout.ts';

export interface ChannelRolloutsTable {
  id: Generated<string>;
  org_id: string;
  project_id: string;
  channel: string;
  rules: ColumnType<RolloutRule[], string, string>;
  rollback_of: string | null;
  created_by: string | null;
  created_at: Generated<Date>;
}

/** Device reports on a candidate, per device class (counts, sums and histograms only). */
export interface CandidateFieldStatsTable {
  org_id: string;
  candidate_id: string;
  device_class: string;
  reports: ColumnType<string, string | number | undefined, never>;
  inferences: ColumnType<string, string | number | undefined, never>;
  failures: ColumnType<string, string | number | undefined, never>;
  load_reports: ColumnType<string, string | number | undefined, never>;
  load_ms_sum: ColumnType<number, number | undefined, never>;
  feedback_correct: ColumnType<string, string | number | undefined, never>;
  feedback_total: ColumnType<string, string | number | undefined, never>;
  p50_histogram: ColumnType<string[], string, never>;
  p90_histogram: ColumnType<string[], string, never>;
  updated_at: Generated<Date>;
}

export interface DeliveryTables {
  channel_rollouts: ChannelRolloutsTable;
  candidate_field_stats: CandidateFieldStatsTable;
}
