// The host's training loop as plugins see it. The data source defaults to the context's
// training split, the AbortSignal to the context's, and progress goes to ctx.progress.
import type { Batch, PluginDataset } from './data.ts';
import type { LayersModel, Tensor } from './tf.ts';

/** One progress event of a training loop. */
export interface TrainingProgress {
  epoch: number;
  epochs: number;
  step: number;
  stepsPerEpoch: number;
  loss: number;
  metrics: Record<string, number>;
  samplesPerSecond: number;
  etaSeconds: number;
}

/** A batch uploaded to the backend: `xs` [size, ...inputShape] float32, `ys` [size] int32 labels. */
export interface StepInput {
  xs: Tensor;
  ys: Tensor;
  batch: Batch;
}

export interface TrainingLoopOptions {
  epochs: number;
  batchSize: number;
  /** One optimisation step over a batch; returns scalars to report ('loss' is shown as the loss).
   * Runs inside the loop's tensor scope: tensors it creates and does not keep are disposed. */
  step: (input: StepInput) => Record<string, number> | Promise<Record<string, number>>;
  /** Data to iterate (default: ctx.data, train split). */
  data?: PluginDataset;
  /** Turns a batch into tensors (needed for text datasets; default uploads `x` and `y`). */
  toTensors?: (batch: Batch) => { xs: Tensor; ys: Tensor };
  shuffleSeed?: number;
  /** Read at most this many samples per epoch. */
  limit?: number;
  /** Name of the candidate being trained, attached to progress reports. */
  candidate?: string;
  onProgress?: (progress: TrainingProgress) => void;
}

export interface TrainingLoopResult {
  epochsCompleted: number;
  steps: number;
  /** The last values `step` returned. */
  last: Record<string, number>;
}

export interface FitOptions {
  epochs: number;
  batchSize: number;
  optimizer?: 'adam' | 'sgd' | 'rmsprop';
  learningRate?: number;
  /** Whether the model's outputs are logits or probabilities (default: probabilities when the
   * last layer is a softmax). */
  outputs?: 'logits' | 'probabilities';
  /** Measure on the validation split after every epoch. */
  validate?: boolean;
  /** Stop when validation loss has not improved for this many epochs (implies validate). */
  earlyStoppingPatience?: number;
  data?: PluginDataset;
  toTensors?: (batch: Batch) => { xs: Tensor; ys: Tensor };
  shuffleSeed?: number;
  limit?: number;
  candidate?: string;
  onProgress?: (progress: TrainingProgress) => void;
}

export interface FitResult {
  epochsCompleted: number;
  history: Array<{ epoch: number; loss: number; metrics: Record<string, number> }>;
  stoppedEarly: boolean;
}

export interface TrainingHelpers {
  /** Trains `model` with sparse categorical cross-entropy on the context's data. */
  fit(model: LayersModel, options: FitOptions): Promise<FitResult>;
  /** The generic loop: your `step` decides what a step does (e.g. one teacher forward pass and
   * updates of several students). */
  runTrainingLoop(options: TrainingLoopOptions): Promise<TrainingLoopResult>;
}
