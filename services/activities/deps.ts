// What the real activities need from the process that runs them (worker, embedded runner, CLI).
import type { ExportHints } from '@condense/plugin-sdk';
import type { Kysely } from 'kysely';
import type { tf } from '../engine/backend/index.ts';
import type { Dataset } from '../engine/data/types.ts';
import type { TfliteMetadata } from '../engine/export/index.ts';
import type { BlobStore } from '../blob/types.ts';
import type { DB } from '../db/types/index.ts';
import type { Plan, PlannedCandidate, BaselineMetrics, ValidatedRun } from '../../workflows/types.ts';

/** Progress a plugin reports while it works (the SDK's ProgressUpdate, re-declared loosely). */
export interface PluginProgress {
  step: number;
  total?: number;
  loss?: number;
  metrics?: Record<string, number>;
  message?: string;
  epoch?: number;
  epochs?: number;
  samplesPerSecond?: number;
  etaSeconds?: number;
}

export interface PluginCandidateModel {
  name: string;
  model: tf.LayersModel;
  notes?: string;
  exportHints?: ExportHints;
  metrics?: Record<string, number>;
}

export type PluginInvocation =
  | { ok: true; candidates: PluginCandidateModel[] }
  | { ok: false; failure: { plugin: string; reason: string; message: string } };

/** Runs one plugin's compress hook (outside the main thread, with limits). */
export interface PluginInvoker {
  invoke(request: {
    plugin: string;
    config: Record<string, unknown>;
    model: tf.LayersModel;
    teacher?: tf.LayersModel;
    data: Dataset;
    targets: string[];
    /** The metadata ctx.export.evaluate writes into the files it measures (stepMetadata). */
    exportMetadata?: TfliteMetadata;
    signal: AbortSignal;
    onProgress: (update: PluginProgress) => void;
  }): Promise<PluginInvocation>;
  /** Installed plugins (for planning; the version is part of a step's content address). */
  list(): { name: string; version: string; kind: string; hardwareTargets: string[]; modes?: Partial<Record<string, readonly string[]>> }[];
}

export interface PlanRequest {
  run: { targets: string[]; techniques: { plugin: string; config?: Record<string, unknown> | 'auto' }[] | null; constraints: Record<string, unknown>; budgetSeconds?: number | null };
  validated: ValidatedRun;
  baseline: BaselineMetrics;
  plugins: { name: string; kind: string; hardwareTargets: string[]; modes?: Partial<Record<string, readonly string[]>> }[];
}

/** Turns a run into candidate technique chains (the planner). */
export type Planner = (request: PlanRequest) => Plan | Promise<Plan>;

/** Knobs that make runs small for tests and quick local tries. */
export interface ActivitySizes {
  /** Samples of the test split used to measure accuracy (default: all). */
  evalSamples?: number;
  /** Samples used to calibrate int8 export (default: the planner's CALIBRATION_SAMPLES). */
  calibrationSamples?: number;
  /** Runs of the host-latency measurement (default 30; 0 = skip). */
  latencyRuns?: number;
  /** Seed of the dataset's train/validation/test split (default 1). */
  datasetSeed?: number;
  /** Caps each split the plugins see (default: no cap). */
  maxPluginSamples?: number;
}

export interface ActivityDeps {
  db: Kysely<DB>;
  blobs: BlobStore;
  plugins: PluginInvoker;
  planner: Planner;
  /** Scratch space for activity temp files. */
  scratchDir: string;
  sizes?: ActivitySizes;
  log?: (message: string) => void;
}

export type { PlannedCandidate };
