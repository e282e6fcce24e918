// Kysely table types for migrations/0002_domain.ts (the API's domain tables).
import type { ColumnType, Generated, JSONColumnType } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
/** bigint columns come back from pg as strings; we write numbers. */
type BigIntColumn = ColumnType<string, number | bigint | string, number | bigint | string>;
type NullableBigInt = ColumnType<string | null, number | bigint | string | null | undefined, number | bigint | string | null>;
type Json<T extends object | null> = JSONColumnType<T, string, string>;
type NullableJson<T> = ColumnType<T | null, string | null | undefined, string | null>;

export interface TensorSpecJson {
  name: string;
  shape: (number | null)[];
  dtype: string;
}

export interface ModelsTable {
  id: Generated<string>;
  org_id: string;
  project_id: string;
  name: string;
  created_by: string | null;
  created_at: Generated<Date>;
}

export interface ModelVersionsTable {
  id: Generated<string>;
  org_id: string;
  model_id: string;
  version: number;
  filename: string;
  format: string;
  blob_sha256: string;
  bytes: BigIntColumn;
  parameter_count: BigIntColumn;
  signature: Json<{ inputs: TensorSpecJson[]; outputs: TensorSpecJson[] }>;
  layer_types: Json<string[]>;
  /** Pre-flight made at upload (migration 0009); null for graph models and older versions. */
  preflight: ColumnType<ModelPreflightJson | null, string | null | undefined, string | null>;
  /** The upload it was registered from (migration 0014; unique, so completion is idempotent). */
  upload_id: ColumnType<string | null, string | null | undefined, string | null>;
  created_by: string | null;
  created_at: Generated<Date>;
}

export interface PreflightBlockerJson { layer: string; className: string; reason: string }

export interface ModelPreflightJson {
  parameterCount: number;
  macs: number;
  /** Peak activation memory of the float32 export at batch 1, bytes (null when it does not export). */
  peakActivationBytes: number | null;
  blockers: PreflightBlockerJson[];
  notes: string[];
  targets: {
    target: string; exportable: boolean; quantization: string; blockers: PreflightBlockerJson[];
    budgetNotes: string[]; estimatedLatencyMs: number | null;
  }[];
}

export interface DatasetsTable {
  id: Generated<string>;
  org_id: string;
  project_id: string;
  name: string;
  filename: string;
  format: string;
  kind: string;
  blob_sha256: string;
  bytes: BigIntColumn;
  sample_count: number;
  num_classes: number;
  labels: Json<string[]>;
  splits: Json<Record<string, number>>;
  input_shape: Json<number[]>;
  /** The upload it was registered from (migration 0014; unique, so completion is idempotent). */
  upload_id: ColumnType<string | null, string | null | undefined, string | null>;
  created_by: string | null;
  created_at: Generated<Date>;
}

export type UploadPurpose = 'model' | 'dataset';
export type UploadStatus = 'pending' | 'received' | 'completed' | 'rejected';

export interface UploadsTable {
  id: Generated<string>;
  org_id: string;
  purpose: UploadPurpose;
  filename: string;
  declared_bytes: BigIntColumn;
  declared_sha256: string;
  status: ColumnType<UploadStatus, UploadStatus | undefined, UploadStatus>;
  bytes: NullableBigInt;
  error: string | null;
  result_id: string | null;
  created_by: string | null;
  created_at: Generated<Date>;
  expires_at: Timestamp;
  completed_at: NullableTimestamp;
}

export type RunStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';

export interface TechniqueChoiceJson {
  plugin: string;
  config: Record<string, unknown>;
}

export interface RunConstraintsJson {
  maxBytes?: number | null;
  maxLatencyMs?: number | null;
  minAccuracy?: number | null;
  maxAccuracyDrop?: number | null;
}

export interface CompressionRunsTable {
  id: Generated<string>;
  org_id: string;
  project_id: string;
  model_version_id: string;
  dataset_id: string;
  status: ColumnType<RunStatus, RunStatus | undefined, RunStatus>;
  phase: string | null;
  targets: Json<string[]>;
  /** null = "auto": the planner chooses the techniques. */
  techniques: NullableJson<TechniqueChoiceJson[]>;
  constraints: Json<RunConstraintsJson>;
  /** Where training steps run: the Temporal task queue condense-cpu / condense-gpu. */
  hardware_class: ColumnType<'cpu' | 'gpu', 'cpu' | 'gpu' | undefined, 'cpu' | 'gpu'>;
  /** Seconds of training the planner may spend (services/planner/budget.ts); null = the default. */
  budget_seconds: ColumnType<number | null, number | null | undefined, number | null>;
  message: string | null;
  retry_of: string | null;
  event_seq: Generated<number>;
  cancel_requested_at: NullableTimestamp;
  created_by: string | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  started_at: NullableTimestamp;
  finished_at: NullableTimestamp;
}

export interface RunEventsTable {
  org_id: string;
  run_id: string;
  seq: number;
  type: string;
  payload: Json<Record<string, unknown>>;
  created_at: Generated<Date>;
}

export interface FitFailureJson {
  rule: string;
  message: string;
}

export interface CandidatesTable {
  id: Generated<string>;
  org_id: string;
  run_id: string;
  key: string;
  target: string;
  technique_chain: Json<TechniqueChoiceJson[]>;
  quantization: string | null;
  status: 'succeeded' | 'failed';
  failure_stage: string | null;
  failure_message: string | null;
  accuracy: number | null;
  /** Accuracy of the float model the file was exported from, same samples (migration 0004). */
  source_accuracy: number | null;
  /** ROC AUC of the exported file, two-class datasets only (migration 0012). */
  auc?: number | null;
  bytes: NullableBigInt;
  /** gzip-compressed .tflite bytes (migration 0008). */
  download_bytes: NullableBigInt;
  parameter_count: NullableBigInt;
  estimated_latency_ms: number | null;
  host_latency_ms: number | null;
  compression_ratio: number | null;
  speedup: number | null;
  fits: boolean | null;
  fit_failures: ColumnType<FitFailureJson[], string | undefined, string>;
  pareto: Generated<boolean>;
  tflite_sha256: string | null;
  tfjs_sha256: string | null;
  notes: ColumnType<string[], string | undefined, string>;
  created_at: Generated<Date>;
}

export interface DeploymentsTable {
  id: Generated<string>;
  org_id: string;
  project_id: string;
  channel: string;
  candidate_id: string;
  rollback_of: string | null;
  created_by: string | null;
  created_at: Generated<Date>;
}

export interface AppKeysTable {
  id: Generated<string>;
  org_id: string;
  project_id: string;
  name: string;
  prefix: string;
  secret_hash: string;
  created_by: string | null;
  created_at: Generated<Date>;
  last_used_at: NullableTimestamp;
  revoked_at: NullableTimestamp;
}

export interface IdempotencyKeysTable {
  org_id: string;
  operation: string;
  key: string;
  request_hash: string;
  response: Json<Record<string, unknown>>;
  created_at: Generated<Date>;
}

export interface DomainTables {
  models: ModelsTable;
  model_versions: ModelVersionsTable;
  datasets: DatasetsTable;
  uploads: UploadsTable;
  compression_runs: CompressionRunsTable;
  run_events: RunEventsTable;
  candidates: CandidatesTable;
  deployments: DeploymentsTable;
  app_keys: AppKeysTable;
  idempotency_keys: IdempotencyKeysTable;
}
