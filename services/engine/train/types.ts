// Shared types of the training loop: what a step receives and returns, what progress reports.
import type { tf } from '../backend/index.ts';
import type { Batch } from '../data/types.ts';

export interface StepContext {
  /** Features uploaded once for this batch (owned by the loop: do not dispose). */
  xs: tf.Tensor;
  /** Integer labels, int32 [size] (owned by the loop). */
  ys: tf.Tensor;
  batch: Batch;
  epoch: number;
  /** 0-based batch index inside the epoch. */
  step: number;
  /** Batches completed over the whole run (including before a resume). */
  globalStep: number;
  /** Batches the whole run takes (epochs × batches per epoch), for step-based schedules. */
  totalSteps: number;
  /** Seeded uniform [0, 1) generator whose position is checkpointed with the loop. */
  random: () => number;
}

/**
 * Per-step values to average over the epoch. Scalar tensors are preferred: the loop sums them
 * on the device and reads them back only when it reports progress. The loop disposes them.
 */
export type StepResult = Record<string, number | tf.Tensor> | void;

export interface TrainingProgress {
  phase: string;
  /** 1-based epoch being run. */
  epoch: number;
  epochs: number;
  /** Batches done in this epoch. */
  step: number;
  stepsPerEpoch: number;
  samplesPerSecond: number;
  /** Mean of the step's `loss` over the epoch so far (NaN when the step reports none). */
  loss: number;
  /** Means over the epoch so far of every other value the step returns, plus `val_*` at epoch end. */
  metrics: Record<string, number>;
  etaSeconds: number;
  /** True on the event sent once an epoch (and its validation) has finished. */
  epochEnd: boolean;
}

export interface EarlyStoppingOptions {
  /** Name of a metric reported at epoch end, e.g. 'val_loss' or 'val_accuracy'. */
  monitor: string;
  /** Default: 'max' for names containing 'acc', else 'min'. */
  mode?: 'min' | 'max';
  /** Epochs without improvement before stopping. */
  patience: number;
  minDelta?: number;
}

export interface EpochSummary {
  epoch: number;
  metrics: Record<string, number>;
}

export interface TrainingResult {
  history: EpochSummary[];
  /** Epochs completed (1-based count), including those done before a resume. */
  epochsCompleted: number;
  stoppedEarly: boolean;
  /** Epoch (1-based) with the best monitored value, when early stopping is on. */
  bestEpoch?: number;
  resumedFrom?: { epoch: number; step: number };
}
