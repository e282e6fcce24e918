// Shapes that cross the orchestration boundary. Everything here is plain JSON: it is written
// into Temporal histories and into the embedded runner's journal, so changing a field is a
// change to recorded data (add optional fields; never rename).
import type { ActivationRanges, ExportHints } from '@condense/plugin-sdk';

export type HardwareClass = 'cpu' | 'gpu';

/** What starts a run: the run row already exists (the API created it); the workflow only needs ids. */
export interface RunInput {
  orgId: string;
  runId: string;
  /** Task-queue class for training activities (`condense-cpu` / `condense-gpu`). */
  hardwareClass?: HardwareClass;
  /** Activities run at once (plan steps and candidates; default 1). The launcher sets it to the
   * workers available: the embedded runner's CONDENSE_WORKERS, Temporal's pollers. */
  maxParallel?: number;
  /**
   * Candidates exported and measured at once beside the `maxParallel` plan steps (runs with the
   * critical-path patch). The embedded runner sets 1: it measures on its own thread, which is
   * idle while the steps train in their own processes. Unset: candidates count against
   * `maxParallel` like steps.
   */
  maxMeasuring?: number;
}

export interface RunRef {
  orgId: string;
  runId: string;
}

export interface ValidatedRun {
  /** `teacherOnly`: a quantized upload (an int8 .tflite) whose dequantised weights serve only as a distillation teacher. */
  model: { format: string; parameterCount: number; inputShape: number[]; outputShape: number[]; teacherOnly?: boolean };
  /** `texts`: a text dataset read as the model's token ids, the raw texts beside (ProjectionNet candidates apply). */
  dataset: { format: string; numClasses: number; sampleCount: number; inputShape: number[]; texts?: boolean };
  targets: string[];
}

export interface BaselineMetrics {
  accuracy: number;
  parameterCount: number;
  /** Size of the base model exported as float32 TFLite (the reference for compression ratios). */
  bytes: number;
  /** The same file gzip-compressed (what a client downloads); absent in runs recorded before it existed. */
  downloadBytes?: number;
  hostLatencyMs: number | null;
}

export type ExportQuantization = 'float32' | 'float16' | 'dynamic-int8' | 'int8';

/** One technique chain the planner proposed: plugins applied in order, then exported for a target. */
export interface PlannedCandidate {
  key: string;
  /** `pick`: the plugin returns several models (distillation: one per student); continue with
   * the one of this name (default: the first). */
  chain: { plugin: string; config: Record<string, unknown>; pick?: string }[];
  target: string;
  quantization: ExportQuantization;
}

export interface Plan {
  candidates: PlannedCandidate[];
}

/** One plugin call of the plan's step graph (runs with the parallel orchestration): several
 * candidates whose chains start alike share it, and it runs once per run. */
export interface PlannedStep {
  /** Unique within the run, in plan order: 's1', 's2', … */
  id: string;
  plugin: string;
  config: Record<string, unknown>;
  /** Blob sha256 of the input model (tfjs-layers zip); null = the run's uploaded model. */
  inputSha256: string | null;
}

/** One model a step returned (plugins may return several: one per student, per mode). */
export interface StepOutputRef {
  name: string;
  /** Blob sha256 of the model as a TF.js layers zip. */
  modelSha256: string;
  notes?: string;
  exportHints?: ExportHints;
  metrics?: Record<string, number>;
}

export interface StepResult {
  /** The step's content address (services/activities/steps.ts). */
  key: string;
  outputs: StepOutputRef[];
  /** 'ran': trained now; 'stored': found finished (a resumed or earlier run made it). */
  source: 'ran' | 'stored' | 'shared';
}

export interface CompressedModel {
  /** Blob sha256 of the compressed model as a tfjs-layers zip (model.json + weights.bin). */
  modelSha256: string;
  notes: string[];
  /** Quantization the plugin asked for, overriding the planned one (e.g. QAT → int8). */
  quantization?: ExportQuantization;
  /** int8 ranges the last step learned for this model (quantization-aware training): the export
   * uses them instead of calibrating the tensors they name. */
  activationRanges?: ActivationRanges;
}

export interface ExportedCandidate {
  tfliteSha256: string;
  tfjsSha256: string;
  bytes: number;
  ops: string[];
  tensorTypes: string[];
  peakActivationBytes: number;
  quantization: ExportQuantization;
}

export interface TargetFitResult {
  fits: boolean;
  failures: { rule: string; message: string }[];
  estimatedLatencyMs: number | null;
}

export interface CandidateEvaluation {
  accuracy: number;
  /** Accuracy of the float (tfjs) model the file was exported from, same test samples (absent in
   * journals written before it was measured). */
  sourceAccuracy?: number;
  /** ROC AUC of the exported file on the test split, two-class datasets only. */
  auc?: number;
  /** The .tflite gzip-compressed (engine/evaluate/download-size.ts); absent in older histories. */
  downloadBytes?: number;
  hostLatencyMs: number | null;
  macs: number | null;
  parameterCount: number | null;
  fit: TargetFitResult;
}

export type CandidateOutcome =
  | { ok: true; compressed: CompressedModel; exported: ExportedCandidate; evaluation: CandidateEvaluation }
  | { ok: false; stage: 'compress' | 'export' | 'evaluate'; errorType: string; message: string };

export type RunFinalStatus = 'succeeded' | 'failed' | 'cancelled';

export interface RunResult {
  status: RunFinalStatus;
  candidates: { key: string; candidateId: string; ok: boolean }[];
  message?: string;
}

/** What a status query returns while the run is in flight. */
export interface RunStatusSnapshot {
  phase: 'validating' | 'baseline' | 'planning' | 'candidates' | 'finishing' | 'done';
  totalCandidates: number;
  finishedCandidates: number;
  failedCandidates: number;
  currentCandidate: string | null;
  cancelRequested: boolean;
  status: RunFinalStatus | 'running';
}

/** Heartbeat details of the training activity: enough to resume after a retry. */
export interface CompressCheckpoint {
  /** Number of chain steps already applied. */
  completedSteps: number;
  /** Blob sha256 of the model after `completedSteps` steps (tfjs-layers zip); null = base model. */
  modelSha256: string | null;
  notes: string[];
  quantization?: ExportQuantization;
  /** Progress inside the current step, for display only. */
  progress?: { step: number; total: number; loss?: number };
}
