// Everything a hook receives from the host — and nothing else: no database, no network.
import type { PluginDataset, PluginSplit } from './data.ts';
import type { ActivationRanges, ExportQuantization } from './candidate.ts';
import type { LayersModel, Tf } from './tf.ts';
import type { TrainingHelpers } from './training.ts';

/** A progress report; the host forwards it to the run's live timeline. */
export interface ProgressUpdate {
  /** Steps done so far (batches, epochs or trials — the plugin decides, consistently). */
  step: number;
  /** Steps the plugin expects in all, when known. */
  total?: number;
  loss?: number;
  metrics?: Record<string, number>;
  message?: string;
  /** The candidate being worked on, when a hook produces several. */
  candidate?: string;
  epoch?: number;
  epochs?: number;
  samplesPerSecond?: number;
  etaSeconds?: number;
}

export interface PluginLogger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** A hardware target of the run, as plain data (the host's catalog has the full entry). */
export interface TargetInfo {
  id: string;
  preferredQuantization: ExportQuantization;
  acceptedQuantizations: readonly ExportQuantization[];
  tensorTypes: readonly string[];
  /** Largest model file, bytes. */
  maxFileBytes: number;
}

export interface ExportEvaluateOptions {
  quantization: ExportQuantization;
  /** Split to measure on (default 'validation', or 'train' when the dataset has no validation samples). */
  split?: PluginSplit;
  /** At most this many samples. */
  limit?: number;
  /** int8: the ranges the candidate will carry in `exportHints.activationRanges` (since 1.5.0). */
  activationRanges?: ActivationRanges;
}

export interface ExportEvaluation {
  /** Top-1 accuracy of the exported file in TFLite's interpreter. */
  accuracy: number;
  samples: number;
  /**
   * Size of the exported file in bytes: the file as the run writes it for a candidate made from
   * this invocation's models — its TFLite metadata and associated files (labels) included, with
   * room for the longest candidate key and technique chain the run can write (since 1.7.0; before,
   * the file without metadata).
   */
  bytes: number;
  /** Bytes of `bytes` that are that metadata and its associated files; 0 when the host writes none
   * (since 1.7.0). `bytes - metadataBytes` is the model alone. */
  metadataBytes: number;
}

/** The host's own TFLite exporter and interpreter (since SDK 1.4.0). */
export interface ExportHelpers {
  /**
   * Exports `model` exactly as the host will export a candidate with these hints (same converter,
   * int8 calibrated on the same training samples) and measures the file's top-1 accuracy in
   * TFLite's interpreter: decide on what users will get, not on a simulation of it.
   */
  evaluate(model: LayersModel, options: ExportEvaluateOptions): Promise<ExportEvaluation>;
}

export interface PluginContext {
  /** The model to compress: the plugin's own copy, free to modify or dispose. */
  model: LayersModel;
  /** The teacher for distillation-style plugins (the run's original model), when there is one. */
  teacher?: LayersModel;
  /** Training and validation batches. */
  data: PluginDataset;
  /** The hardware targets the run aims at. */
  targets: TargetInfo[];
  /** The host's tfjs namespace with its backend initialised; use it instead of importing tfjs. */
  tf: Tf;
  /** The host's training loop. Data, cancellation and progress are wired to this context. */
  train: TrainingHelpers;
  /** The host's TFLite export, measured in a real runtime (since SDK 1.4.0). */
  export: ExportHelpers;
  /** Reports progress; cheap, but call it at most a few times per second. */
  progress(update: ProgressUpdate): void;
  log: PluginLogger;
  /** Aborted when the run is cancelled or the plugin's time is up: stop promptly. */
  signal: AbortSignal;
  /** An empty directory private to this invocation, deleted afterwards. */
  scratchDir: string;
}
