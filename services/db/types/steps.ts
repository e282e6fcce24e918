// Kysely types of the content-addressed plan-step results (migrations/0005_step_artifacts.ts).
import type { ColumnType, Generated } from 'kysely';

type Json = ColumnType<unknown, string, string>;

export interface StepArtifactsTable {
  org_id: string;
  key: string;
  plugin: string;
  plugin_version: string;
  input_sha256: string;
  config: Json;
  outputs: Json;
  duration_ms: Generated<number>;
  created_at: Generated<Date>;
}

export interface StepTables {
  step_artifacts: StepArtifactsTable;
}
