// Shapes of the multi-candidate planner. Plans are plain JSON (they travel through the
// orchestration's journal and Temporal histories); a CandidatePlan is a superset of the
// orchestration's PlannedCandidate ({ key, chain: {plugin, config}[], target, quantization }).
import type { ExportQuantization } from '../targets/index.ts';
import type { FitFailure } from '../targets/index.ts';

export type { ExportQuantization };

/** The run's constraints (all optional; null = not set). Accuracies are fractions in [0, 1]. */
export interface PlanConstraints {
  /** Largest exported .tflite file, bytes. */
  maxBytes?: number | null;
  /** Largest estimated latency on the target (the catalog's cost model), milliseconds. */
  maxLatencyMs?: number | null;
  /** Smallest test accuracy of the exported model. */
  minAccuracy?: number | null;
  /** Largest accuracy drop against the base model's exported float32 file. */
  maxAccuracyDrop?: number | null;
}

/** The technique families the planner builds chains from. */
export const CHAIN_FAMILIES = ['quantize', 'prune', 'distill', 'distill-prune', 'prune-distill', 'cluster', 'project'] as const;
export type ChainFamily = (typeof CHAIN_FAMILIES)[number];

/** Training effort of the planned steps; small values make quick, rougher plans. */
export interface PlanBudget {
  /** Epochs of joint distillation (default 3). */
  distillEpochs?: number;
  /** Fine-tuning epochs while pruning (default 2). */
  pruneEpochs?: number;
  /** Training samples per epoch of every training step; 0 = the whole training split (default 0). */
  samplesPerEpoch?: number;
  /** Quantization-aware fine-tuning epochs when int8 costs too much (default 1). */
  qatEpochs?: number;
  /** Batch size of every training step (default: each plugin's own). */
  batchSize?: number;
  /** Epochs of projection-network training (default: the plugin's). */
  projectionEpochs?: number;
  /** false: distillation trains on the images as they are — no random crops, flips or mixup
   * (the plugin's defaults, which pay off over long training but cost accuracy in a few fixed
   * epochs). Default: the plugin's own augmentation. */
  augmentation?: boolean;
}

export interface PlannerPluginInfo {
  name: string;
  kind: string;
  /** Targets the plugin declares it serves (manifest.hardwareTargets; '*' = any). */
  hardwareTargets: string[];
  /** Per target, the modes it offers there (manifest.modes); a target without an entry offers all. */
  modes?: Partial<Record<string, readonly string[]>>;
}

export interface PlannerInput {
  dataset: {
    kind: 'tensor' | 'text';
    /** A tensor dataset (token ids) with the raw texts beside: the model's usual chains plus ProjectionNet students. */
    texts?: boolean;
    /** Per-sample input shape ([] for text). */
    inputShape: number[];
    numClasses: number;
  };
  /** Hardware-target ids (see services/targets). */
  targets: string[];
  /** Installed plugins (name, kind, targets); chains only use plugins that exist. */
  plugins: PlannerPluginInfo[];
  constraints?: PlanConstraints;
  budget?: PlanBudget;
  /** The run's time budget, seconds of training (services/planner/budget.ts); when set it decides
   * the distillation trials, search and epochs, and prune → distill. */
  seconds?: number;
  /** Families to plan (default: every one that applies to the dataset and installed plugins). */
  families?: ChainFamily[];
  /** Distillation students (default ['large', 'medium', 'small']). */
  students?: Array<'large' | 'medium' | 'small'>;
  /** Structured pruning level (default 0.5). */
  pruneSparsity?: number;
}

/** One plugin call of a chain. */
export interface ChainStep {
  plugin: string;
  kind: string;
  config: Record<string, unknown>;
  /** Name of the candidate to continue with when the plugin returns several (default: the
   * first). Chains that differ only in `pick` share one call: equal prefixes and configs run once. */
  pick?: string;
}

/** One technique chain, then the export for one target. */
export interface CandidatePlan {
  /** Unique within the plan, e.g. 'cpu-int8:distill-small+int8'. */
  key: string;
  /** Readable chain, e.g. 'distill(small) → quantize(int8)'. */
  label: string;
  family: ChainFamily;
  chain: ChainStep[];
  target: string;
  quantization: ExportQuantization;
}

/** The base model's figures every candidate is compared with (its float32 export). */
export interface BaselineMeasure {
  accuracy: number;
  /** Accuracy of guessing uniformly among the classes (1 / classes), when known. */
  chanceAccuracy?: number;
  bytes: number;
  parameterCount: number;
  macs: number;
  hostLatencyMs: number | null;
  /** Estimated latency of the float32 base model per target id. */
  estimatedLatencyMs: Record<string, number>;
}

/** A candidate after export and measurement (or the reason it has none). */
export interface MeasuredCandidate {
  key: string;
  label: string;
  target: string;
  quantization: ExportQuantization;
  /** Set when the chain or the export failed; the figures below are then absent. */
  failure?: { stage: 'compress' | 'export' | 'measure'; message: string };
  /** Test-set accuracy of the exported .tflite in the TFLite runtime. */
  accuracy?: number;
  /** Accuracy of the float (tfjs) model the file was exported from, on the same test samples
   * (absent for text models); see the export-fidelity rule in select.ts. */
  sourceAccuracy?: number;
  bytes?: number;
  parameterCount?: number;
  macs?: number;
  estimatedLatencyMs?: number;
  hostLatencyMs?: number | null;
  /** baseline bytes / bytes. */
  compressionRatio?: number;
  /** Baseline estimated latency on this target / this candidate's. */
  speedup?: number;
  /** Baseline host latency / this candidate's (null when not measured). */
  hostSpeedup?: number | null;
  fit?: { fits: boolean; failures: FitFailure[] };
  /** What the plugins reported (last step's metrics) and their notes, in chain order. */
  pluginMetrics?: Record<string, number>;
  notes?: string[];
  /** Wall time of the chain's plugin calls (shared calls counted in full). */
  compressMs?: number;
}

/** Why a candidate is not acceptable: a constraint, a target-fit rule, or a failure. */
export interface Rejection {
  rule: 'failed' | 'no-better-than-chance' | 'export-accuracy-loss' | 'max-bytes' | 'max-latency' | 'min-accuracy' | 'max-accuracy-drop' | FitFailure['rule'];
  message: string;
}

export interface CandidateVerdict {
  key: string;
  target: string;
  accepted: boolean;
  /** On the Pareto front of its target (over accepted candidates, or over all when none is). */
  pareto: boolean;
  reasons: Rejection[];
}

export interface TargetSelection {
  target: string;
  /** Keys on the Pareto front over (bytes ↓, accuracy ↑, estimated latency ↓). */
  pareto: string[];
  /** True when no candidate of this target meets the constraints: `pareto` then holds the best
   * of those that were measured. */
  bestEffort: boolean;
}

export interface Selection {
  verdicts: CandidateVerdict[];
  targets: TargetSelection[];
  /** True when no candidate for any target meets the constraints. */
  bestEffort: boolean;
}
