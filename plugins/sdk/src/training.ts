// The host's training loop as plugins see it (the same engine Condense trains with). The data
// defaults to the context's dataset, cancellation to ctx.signal, and progress is forwarded to
// ctx.progress (your own onProgress is called too).
import type { Batch, PluginDataset, PluginSplit } from './data.ts';
import type { LayersModel, Optimizer, Scalar, Tensor } from './tf.ts';

/** One progress event of a training loop. */
export interface TrainingProgress {
  /** Label of the loop ('train' by default; set `phase` to name yours). */
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
  /** Epoch means of every other value the step returns, plus `val_*` at epoch end. */
  metrics: Record<string, number>;
  etaSeconds: number;
  /** True on the event sent once an epoch (and its validation) has finished. */
  epochEnd: boolean;
}

/** What a custom step receives: the batch uploaded once (owned by the loop: do not dispose). */
export interface StepContext {
  /** Features, float32 [size, ...inputShape]. */
  xs: Tensor;
  /** Integer labels, int32 [size]. */
  ys: Tensor;
  batch: Batch;
  epoch: number;
  /** 0-based batch index inside the epoch. */
  step: number;
  /** Batches completed over the whole loop. */
  globalStep: number;
  /** Batches the whole loop takes (epochs × batches per epoch), for step-based schedules (since 1.2.0). */
  totalSteps: number;
  /** Seeded uniform [0, 1) generator. */
  random: () => number;
}

/** Per-step values averaged over the epoch. Prefer scalar tensors: they are summed on the
 * device and read back only when progress is reported. The loop disposes them. */
export type StepResult = Record<string, number | Tensor> | void;

export interface EarlyStoppingOptions {
  /** A metric reported at epoch end, e.g. 'val_loss' or 'val_accuracy'. */
  monitor: string;
  /** Default: 'max' for names containing 'acc', else 'min'. */
  mode?: 'min' | 'max';
  /** Epochs without improvement before stopping. */
  patience: number;
  minDelta?: number;
}

export interface TrainingResult {
  history: Array<{ epoch: number; metrics: Record<string, number> }>;
  epochsCompleted: number;
  stoppedEarly: boolean;
  /** Epoch (1-based) with the best monitored value, when early stopping is on. */
  bestEpoch?: number;
}

export type OptimizerName = 'adam' | 'sgd' | 'rmsprop';
export interface OptimizerSpec {
  name: OptimizerName;
  learningRate?: number;
}

interface CommonLoopOptions {
  epochs: number;
  batchSize: number;
  /** Data to iterate (default: ctx.data). */
  data?: PluginDataset;
  /** Turns a batch into tensors (required for text datasets; default uploads `x` and `y`). */
  toTensors?: (batch: Batch) => { xs: Tensor; ys: Tensor };
  onProgress?: (progress: TrainingProgress) => void;
  /** Report (and read values back) every N batches; default 20. */
  progressEvery?: number;
  /** Seeds the per-epoch shuffle (default 0). */
  seed?: number;
  /** At most this many samples per epoch. */
  limit?: number;
  /** The candidate being trained; attached to the progress the host forwards. */
  candidate?: string;
}

export interface TrainingLoopOptions extends CommonLoopOptions {
  /** One step over a batch: your code decides what it does (e.g. one teacher forward pass and
   * updates of several students). The loop disposes `xs`, `ys` and the tensors the step returns;
   * it opens no tensor scope around the step, so free anything else the step creates yourself
   * (wrap synchronous work in `tf.tidy`, as `fineTune` does). */
  step: (ctx: StepContext) => StepResult | Promise<StepResult>;
  /** Split to train on (default 'train'). */
  split?: PluginSplit;
  /** Shuffle each epoch (default true). */
  shuffle?: boolean;
  /** Runs after each epoch; its values join the epoch's metrics (name them e.g. `val_loss`). */
  validate?: (epoch: number) => Record<string, number> | Promise<Record<string, number>>;
  earlyStopping?: EarlyStoppingOptions;
  onEpochEnd?: (summary: { epoch: number; metrics: Record<string, number>; improved: boolean }) => void | Promise<void>;
  /** Label carried by progress events (default 'train'). */
  phase?: string;
}

export interface FitOptions extends CommonLoopOptions {
  /** An optimizer instance (yours to dispose) or a spec (default adam, learning rate 1e-3). */
  optimizer?: Optimizer | OptimizerSpec | OptimizerName;
  /** Whether the model outputs logits; default: false when its last layer's activation is softmax. */
  fromLogits?: boolean;
  /** Custom loss on (model output, int32 labels); default sparse categorical cross-entropy. */
  loss?: (output: Tensor, labels: Tensor) => Scalar;
  /** Split validated after each epoch (default 'validation' when it has samples; null to skip). */
  validationSplit?: PluginSplit | null;
  validationLimit?: number;
  earlyStopping?: EarlyStoppingOptions & { restoreBestWeights?: boolean };
}

export interface EvaluateOptions {
  /** Default 'validation'. */
  split?: PluginSplit;
  batchSize?: number;
  limit?: number;
  /** Default: false when the last layer's activation is softmax. */
  fromLogits?: boolean;
  toTensors?: (batch: Batch) => { xs: Tensor; ys: Tensor };
  data?: PluginDataset;
}

export interface DistillationLossOptions {
  /** Softening temperature T (> 0). */
  temperature: number;
  /** Weight of the hard-label cross-entropy; the soft term gets 1 − alpha. */
  alpha: number;
  /** Whether the student output is logits (default true) or probabilities. */
  studentFromLogits?: boolean;
  /** Whether the teacher output is logits (default true) or probabilities. */
  teacherFromLogits?: boolean;
}

export interface TrainingHelpers {
  /** Trains a classifier: one optimizer, sparse categorical cross-entropy (or `loss`), accuracy,
   * validation each epoch, optional early stopping. */
  fit(model: LayersModel, options: FitOptions): Promise<TrainingResult>;
  /** The generic loop behind `fit`. */
  runTrainingLoop(options: TrainingLoopOptions): Promise<TrainingResult>;
  /** Loss and accuracy of a classifier over a split (default validation). */
  evaluate(model: LayersModel, options?: EvaluateOptions): Promise<{ loss: number; accuracy: number; samples: number }>;
  /** Builds an optimizer by name (default learning rates: adam 1e-3, sgd 1e-2, rmsprop 1e-3). */
  createOptimizer(spec: OptimizerSpec | OptimizerName): Optimizer;
  losses: {
    /** Mean sparse categorical cross-entropy of `output` against int32 `labels`. */
    sparseCategoricalCrossEntropy(output: Tensor, labels: Tensor, fromLogits?: boolean): Scalar;
    /** alpha·CE(labels) + (1−alpha)·T²·KL(teacher_T ‖ student_T) (Hinton et al. 2015). */
    distillation(studentOutput: Tensor, teacherOutput: Tensor, labels: Tensor, options: DistillationLossOptions): Scalar;
  };
  /** Mean top-1 accuracy of `output` against int32 `labels`. */
  accuracy(output: Tensor, labels: Tensor): Scalar;
}
