// Compression runs, their candidates and events; the hardware-target and plugin catalogs.
import { Field, Float, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import type { Selectable } from 'kysely';
import type { CandidatesTable, CompressionRunsTable } from '../../db/types/index.ts';
import { RUN_EVENT_TYPES, type RunEvent as StoredRunEvent, type RunEventType } from '../../events/types.ts';
import { toGlobalId } from '../ids.ts';
import { EXPORT_ACCURACY_LOSS_RULE, MAX_EXPORT_ACCURACY_LOSS } from '../../planner/select.ts';
import { DEFAULT_BUDGET_SECONDS } from '../../planner/budget.ts';
import { CandidateStatusEnum, DateTime, JSONScalar, Node, RunStatusEnum } from './common.ts';

const EXPORT_LOSS_POINTS = Math.round(MAX_EXPORT_ACCURACY_LOSS * 100);

/** GraphQL enum object for RunEventType (values equal the stored type names). */
export const RunEventTypeEnum = Object.fromEntries(RUN_EVENT_TYPES.map((t) => [t, t])) as Record<RunEventType, RunEventType>;
registerEnumType(RunEventTypeEnum, {
  name: 'RunEventType',
  description: 'What a run event reports: lifecycle, phase changes, candidate progress and results.',
});

/** Where a run's training steps execute (values equal the stored hardware_class). */
export const HardwareClassEnum = { CPU: 'cpu', GPU: 'gpu' } as const;
export type HardwareClassValue = (typeof HardwareClassEnum)[keyof typeof HardwareClassEnum];
registerEnumType(HardwareClassEnum, {
  name: 'HardwareClass',
  description: 'Where a run\'s training steps execute: the workers of the Temporal task queue condense-cpu or condense-gpu (docs/orchestration.md).',
});

@ObjectType({ description: 'One technique step: a plugin and its configuration.' })
export class TechniqueChoice {
  @Field(() => String, { description: 'Plugin name.' })
  plugin!: string;

  @Field(() => JSONScalar, { description: 'Plugin configuration (validated against its configSchema, defaults filled).' })
  config!: Record<string, unknown>;
}

@ObjectType({ description: 'Limits a candidate must respect.' })
export class RunConstraints {
  @Field(() => Int, { nullable: true, description: 'Largest acceptable .tflite file, bytes.' })
  maxBytes!: number | null;

  @Field(() => Float, { nullable: true, description: 'Largest acceptable estimated on-target latency, ms.' })
  maxLatencyMs!: number | null;

  @Field(() => Float, { nullable: true, description: 'Lowest acceptable accuracy (0..1).' })
  minAccuracy!: number | null;

  @Field(() => Float, { nullable: true, description: 'Largest acceptable accuracy loss against the base model (0..1).' })
  maxAccuracyDrop!: number | null;
}

@ObjectType({ implements: Node, description: 'One compression job: a model version, a dataset, targets and techniques.' })
export class CompressionRun extends Node {
  uuid!: string;
  projectId!: string;
  modelVersionId!: string;
  datasetId!: string;
  retryOfId!: string | null;

  @Field(() => RunStatusEnum, { description: 'Lifecycle state.' })
  status!: RunStatusEnum;

  @Field(() => String, { nullable: true, description: 'Current phase, e.g. validating, baseline, candidates, done.' })
  phase!: string | null;

  @Field(() => [String], { description: 'Hardware target ids the run produces candidates for.' })
  targets!: string[];

  @Field(() => Boolean, { description: 'True when the planner chooses techniques ("auto").' })
  autoTechniques!: boolean;

  @Field(() => [TechniqueChoice], { description: 'Techniques requested (empty when auto).' })
  techniques!: TechniqueChoice[];

  @Field(() => RunConstraints, { description: 'Constraints candidates must meet.' })
  constraints!: RunConstraints;

  @Field(() => HardwareClassEnum, { description: 'Where the run\'s training steps execute.' })
  hardwareClass!: HardwareClassValue;

  @Field(() => Float, { description: 'Time budget of the run: seconds of training the planner spends (the default when the run set none).' })
  budgetSeconds!: number;

  @Field(() => Boolean, { description: 'True when the run set no budget and got the default.' })
  budgetIsDefault!: boolean;

  @Field(() => String, { nullable: true, description: 'Failure or cancellation message.' })
  message!: string | null;

  @Field(() => Boolean, { description: 'True once cancellation was requested.' })
  cancelRequested!: boolean;

  @Field(() => DateTime, { description: 'When the run was created.' })
  createdAt!: Date;

  @Field(() => DateTime, { nullable: true, description: 'When execution started.' })
  startedAt!: Date | null;

  @Field(() => DateTime, { nullable: true, description: 'When the run ended.' })
  finishedAt!: Date | null;

  static from(row: Selectable<CompressionRunsTable>): CompressionRun {
    const c = row.constraints ?? {};
    return Object.assign(new CompressionRun(), {
      id: toGlobalId('CompressionRun', row.id), uuid: row.id, projectId: row.project_id, modelVersionId: row.model_version_id,
      datasetId: row.dataset_id, retryOfId: row.retry_of, status: row.status as RunStatusEnum, phase: row.phase, targets: row.targets,
      autoTechniques: row.techniques === null, techniques: row.techniques ?? [],
      constraints: { maxBytes: c.maxBytes ?? null, maxLatencyMs: c.maxLatencyMs ?? null, minAccuracy: c.minAccuracy ?? null, maxAccuracyDrop: c.maxAccuracyDrop ?? null },
      budgetSeconds: row.budget_seconds ?? DEFAULT_BUDGET_SECONDS, budgetIsDefault: row.budget_seconds === null, hardwareClass: row.hardware_class ?? 'cpu',
      message: row.message, cancelRequested: row.cancel_requested_at !== null, createdAt: row.created_at, startedAt: row.started_at,
      finishedAt: row.finished_at,
    });
  }
}

@ObjectType({ description: 'Measured quality and cost of a candidate.' })
export class CandidateMetrics {
  @Field(() => Float, { nullable: true, description: 'Accuracy of the exported .tflite file in the TFLite runtime on the test split (0..1).' })
  accuracy!: number | null;

  @Field(() => Float, { nullable: true, description: `Accuracy of the float (TF.js) model the file was exported from, on the same test samples (0..1; null when not measured). A file scoring more than ${EXPORT_LOSS_POINTS} points below it breaks the ${EXPORT_ACCURACY_LOSS_RULE} rule.` })
  sourceAccuracy!: number | null;

  @Field(() => Float, { nullable: true, description: 'ROC AUC of the exported .tflite file on the same test samples (two-class datasets; null otherwise or for candidates recorded before it was measured).' })
  auc!: number | null;

  @Field(() => Int, { nullable: true, description: '.tflite file size, bytes.' })
  bytes!: number | null;

  @Field(() => Int, { nullable: true, description: 'The .tflite gzip-compressed (level 6, as TF-MOT measures model size): what a client that sends Accept-Encoding: gzip downloads. Pruned weights shrink this, not bytes. Null for candidates recorded before it was measured.' })
  downloadBytes!: number | null;

  @Field(() => Int, { nullable: true, description: 'Parameters after compression.' })
  parameterCount!: number | null;

  @Field(() => Float, { nullable: true, description: 'Estimated latency on the target (roofline model), ms.' })
  estimatedLatencyMs!: number | null;

  @Field(() => Float, { nullable: true, description: 'Measured latency on the server CPU with the TFLite runtime, ms (batch 1, median).' })
  hostLatencyMs!: number | null;

  @Field(() => Float, { nullable: true, description: 'Base model bytes / candidate bytes.' })
  compressionRatio!: number | null;

  @Field(() => Float, { nullable: true, description: 'Base model latency / candidate latency.' })
  speedup!: number | null;
}

@ObjectType({ description: 'A rule of the hardware target or of the run that the candidate breaks.' })
export class FitFailure {
  @Field(() => String, { description: `Rule id: a target rule (op-set, tensor-types, file-size, activation-memory, latency-budget) or a run rule (max-bytes, max-latency, min-accuracy, max-accuracy-drop, no-better-than-chance, ${EXPORT_ACCURACY_LOSS_RULE}: the exported file scores more than ${EXPORT_LOSS_POINTS} points below the float model it was exported from, i.e. the file is broken; such a candidate is never on the Pareto front).` })
  rule!: string;

  @Field(() => String, { description: 'What exactly does not fit.' })
  message!: string;
}

@ObjectType({ description: 'Whether the candidate runs on its target, and why not.' })
export class TargetFit {
  @Field(() => String, { description: 'Hardware target id.' })
  target!: string;

  @Field(() => Boolean, { nullable: true, description: 'True when every rule of the target is met (null when not evaluated).' })
  fits!: boolean | null;

  @Field(() => [FitFailure], { description: 'Broken rules (empty when it fits).' })
  failures!: FitFailure[];
}

@ObjectType({ description: 'Where a candidate failed.' })
export class CandidateFailure {
  @Field(() => String, { description: 'Stage: compress, export or evaluate.' })
  stage!: string;

  @Field(() => String, { description: 'Reason.' })
  message!: string;
}

@ObjectType({ implements: Node, description: 'One compressed model a run produced for a target.' })
export class Candidate extends Node {
  uuid!: string;
  runId!: string;
  tfliteSha256!: string | null;
  tfjsSha256!: string | null;

  @Field(() => String, { description: 'Key of the candidate inside its run (stable across retries).' })
  key!: string;

  @Field(() => CandidateStatusEnum, { description: 'Whether the candidate was produced.' })
  status!: CandidateStatusEnum;

  @Field(() => [TechniqueChoice], { description: 'Techniques applied, in order.' })
  techniqueChain!: TechniqueChoice[];

  @Field(() => String, { nullable: true, description: 'Export quantization: float32, float16, dynamic-int8 or int8.' })
  quantization!: string | null;

  @Field(() => CandidateMetrics, { description: 'Measured metrics.' })
  metrics!: CandidateMetrics;

  @Field(() => TargetFit, { description: 'Fit on the hardware target.' })
  targetFit!: TargetFit;

  @Field(() => Boolean, { description: 'True when no other candidate of the run is better in accuracy, size and latency at once.' })
  pareto!: boolean;

  @Field(() => CandidateFailure, { nullable: true, description: 'Why the candidate failed (null when it succeeded).' })
  failure!: CandidateFailure | null;

  @Field(() => [String], { description: 'Notes from the techniques.' })
  notes!: string[];

  @Field(() => DateTime, { description: 'When the candidate was recorded.' })
  createdAt!: Date;

  static from(row: Selectable<CandidatesTable>): Candidate {
    const num = (v: string | null) => (v === null ? null : Number(v));
    return Object.assign(new Candidate(), {
      id: toGlobalId('Candidate', row.id), uuid: row.id, runId: row.run_id, tfliteSha256: row.tflite_sha256, tfjsSha256: row.tfjs_sha256,
      key: row.key, status: row.status as CandidateStatusEnum, techniqueChain: row.technique_chain, quantization: row.quantization,
      metrics: {
        accuracy: row.accuracy, sourceAccuracy: row.source_accuracy, auc: row.auc ?? null, bytes: num(row.bytes), downloadBytes: num(row.download_bytes ?? null), parameterCount: num(row.parameter_count), estimatedLatencyMs: row.estimated_latency_ms,
        hostLatencyMs: row.host_latency_ms, compressionRatio: row.compression_ratio, speedup: row.speedup,
      },
      targetFit: { target: row.target, fits: row.fits, failures: row.fit_failures },
      pareto: row.pareto,
      failure: row.status === 'failed' ? { stage: row.failure_stage ?? 'unknown', message: row.failure_message ?? 'failed' } : null,
      notes: row.notes, createdAt: row.created_at,
    });
  }
}

@ObjectType({ description: 'Signed, short-lived download URLs of a candidate.' })
export class CandidateDownloads {
  @Field(() => String, { nullable: true, description: 'The .tflite file.' })
  tflite!: string | null;

  @Field(() => String, { nullable: true, description: 'The TensorFlow.js layers model (zip of model.json + weights).' })
  tfjs!: string | null;

  @Field(() => DateTime, { description: 'When the URLs expire.' })
  expiresAt!: Date;
}

@ObjectType({ description: 'One entry of a run\'s timeline; `cursor` resumes a subscription after it.' })
export class RunEvent {
  @Field(() => String, { description: 'Opaque cursor (pass as `after` to resume after this event).' })
  cursor!: string;

  @Field(() => Int, { description: 'Per-run sequence number, 1, 2, 3, … without gaps.' })
  sequence!: number;

  @Field(() => ID, { description: 'Global id of the run.' })
  runId!: string;

  @Field(() => RunEventTypeEnum, { description: 'What happened.' })
  type!: RunEventType;

  @Field(() => DateTime, { description: 'When it happened.' })
  at!: Date;

  @Field(() => String, { nullable: true, description: 'Phase, for PHASE_CHANGED.' })
  phase!: string | null;

  @Field(() => String, { nullable: true, description: 'Candidate key, for CANDIDATE_* events.' })
  candidateKey!: string | null;

  @Field(() => Int, { nullable: true, description: 'Current epoch (1-based).' })
  epoch!: number | null;

  @Field(() => Int, { nullable: true, description: 'Current step in the epoch.' })
  step!: number | null;

  @Field(() => Float, { nullable: true, description: 'Training loss.' })
  loss!: number | null;

  @Field(() => JSONScalar, { nullable: true, description: 'Metrics, e.g. {"accuracy": 0.97}.' })
  metrics!: Record<string, number> | null;

  @Field(() => Float, { nullable: true, description: 'Training throughput, samples per second.' })
  samplesPerSecond!: number | null;

  @Field(() => Float, { nullable: true, description: 'Estimated seconds to the end of the current step.' })
  etaSeconds!: number | null;

  @Field(() => String, { nullable: true, description: 'Human-readable message (failures, logs).' })
  message!: string | null;

  @Field(() => JSONScalar, { description: 'The whole event payload.' })
  data!: Record<string, unknown>;

  static from(event: StoredRunEvent): RunEvent {
    const p = event.payload;
    const numberOrNull = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);
    const intOrNull = (v: unknown) => (typeof v === 'number' && Number.isInteger(v) ? v : null);
    return Object.assign(new RunEvent(), {
      cursor: String(event.seq), sequence: event.seq, runId: toGlobalId('CompressionRun', event.runId), type: event.type, at: event.createdAt,
      phase: typeof p.phase === 'string' ? p.phase : null, candidateKey: typeof p.candidateKey === 'string' ? p.candidateKey : null,
      epoch: intOrNull(p.epoch), step: intOrNull(p.step), loss: numberOrNull(p.loss),
      metrics: p.metrics && typeof p.metrics === 'object' ? p.metrics : null, samplesPerSecond: numberOrNull(p.samplesPerSecond),
      etaSeconds: numberOrNull(p.etaSeconds), message: typeof p.message === 'string' ? p.message : null, data: p,
    });
  }
}

@ObjectType({ implements: Node, description: 'A hardware target from the catalog: what it runs and what it costs.' })
export class HardwareTarget extends Node {
  @Field(() => String, { description: 'Target id, e.g. cpu-int8.' })
  targetId!: string;

  @Field(() => String, { description: 'Display name.' })
  name!: string;

  @Field(() => String, { description: 'What the target is.' })
  description!: string;

  @Field(() => String, { description: 'Runtime on the device.' })
  runtime!: string;

  @Field(() => String, { description: 'Artifact format delivered: tflite or tfjs-layers.' })
  format!: string;

  @Field(() => [String], { description: 'Tensor element types allowed.' })
  tensorTypes!: string[];

  @Field(() => [String], { description: 'TFLite builtin ops the target executes.' })
  ops!: string[];

  @Field(() => Float, { description: 'Largest model file, bytes.' })
  maxFileBytes!: number;

  @Field(() => Float, { description: 'Largest peak activation memory, bytes.' })
  maxActivationBytes!: number;

  @Field(() => String, { description: 'Preferred export quantization.' })
  preferredQuantization!: string;
}

@ObjectType({ implements: Node, description: 'An installed compression-technique plugin.' })
export class Plugin extends Node {
  @Field(() => String, { description: 'Package name.' })
  name!: string;

  @Field(() => String, { description: 'Plugin version.' })
  version!: string;

  @Field(() => String, { description: 'Technique kind: pruning, quantization, distillation, projection, clustering or other.' })
  kind!: string;

  @Field(() => String, { description: 'One-line summary.' })
  summary!: string;

  @Field(() => String, { description: 'Semver range of the plugin SDK it needs.' })
  sdk!: string;

  @Field(() => [String], { description: 'Hardware target ids it supports.' })
  hardwareTargets!: string[];

  @Field(() => JSONScalar, { description: 'JSON Schema of its configuration (with defaults and descriptions).' })
  configSchema!: Record<string, unknown>;

  @Field(() => JSONScalar, { description: 'The whole manifest.' })
  manifest!: Record<string, unknown>;
}
