// Kysely types of model delivery (migrations/0007_channel_rollouts.ts).
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

export interface DeliveryTables {
  channel_rollouts: ChannelRolloutsTable;
}
