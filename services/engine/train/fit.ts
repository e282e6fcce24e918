// `fit`: the common case on top of runTrainingLoop — one classifier, one optimizer, sparse
// categorical cross-entropy (or a given loss), accuracy, optional validation, early stopping,
// checkpoints and cancellation.
import { tf } from '../backend/index.ts';
import type { Batch, Dataset, Split } from '../data/types.ts';
import { runTrainingLoop, type BatchTensors } from './loop.ts';
import { createOptimizer, type OptimizerName, type OptimizerSpec } from './optimizers.ts';
import { sparseCategoricalCrossEntropy } from './losses.ts';
import { accuracy } from './metrics.ts';
import { outputsLogits } from './output-kind.ts';
import { evaluateSplit } from './evaluate_split.ts';
import type { EarlyStoppingOptions, TrainingProgress, TrainingResult } from './types.ts';

export interface FitOptions {
  epochs: number;
  batchSize: number;
  /** An optimizer instance (kept alive; yours to dispose) or a spec (created and disposed here). Default adam 1e-3. */
  optimizer?: tf.Optimizer | OptimizerSpec | OptimizerName;
  /** Whether the model outputs logits; default: false when it ends in a softmax or one sigmoid unit. */
  fromLogits?: boolean;
  /** Custom loss on (model output, int32 labels); default sparse categorical cross-entropy. */
  loss?: (output: tf.Tensor, labels: tf.Tensor) => tf.Scalar;
  /** Split validated after each epoch (default 'validation' when it has samples; null to skip). */
  validationSplit?: Split | null;
  validationLimit?: number;
  earlyStopping?: EarlyStoppingOptions & { restoreBestWeights?: boolean };
  onProgress?: (progress: TrainingProgress) => void;
  progressEvery?: number;
  signal?: AbortSignal;
  /** Checkpoint directory; the model and optimizer are saved under fixed keys. */
  checkpoint?: { dir: string; everySteps?: number; resume?: boolean };
  seed?: number;
  limit?: number;
  toTensors?: (batch: Batch) => BatchTensors;
}

/** The LayerVariables' underlying tf.Variables, as optimizer.minimize wants them. */
export function trainableVariables(model: tf.LayersModel): tf.Variable[] {
  return model.trainableWeights.map((w) => w.read() as tf.Variable);
}

export async function fit(model: tf.LayersModel, data: Dataset, options: FitOptions): Promise<TrainingResult> {
  const given = options.optimizer;
  // (tf.Optimizer's instanceof check dereferences its operand, so test for an object first)
  const ownsOptimizer = !(given != null && typeof given === 'object' && given instanceof tf.Optimizer);
  const optimizer = ownsOptimizer ? createOptimizer((given ?? 'adam') as OptimizerSpec | OptimizerName) : given as tf.Optimizer;
  const fromLogits = options.fromLogits ?? outputsLogits(model);
  const lossFn = options.loss ?? ((out: tf.Tensor, ys: tf.Tensor) => sparseCategoricalCrossEntropy(out, ys, fromLogits));
  const vars = trainableVariables(model);
  const validationSplit = options.validationSplit === undefined
    ? (data.info.splits.validation > 0 ? 'validation' : null)
    : options.validationSplit;
  const early = options.earlyStopping;
  let best: tf.Tensor[] | null = null;
  try {
    const result = await runTrainingLoop({
      data, epochs: options.epochs, batchSize: options.batchSize, toTensors: options.toTensors,
      onProgress: options.onProgress, progressEvery: options.progressEvery, signal: options.signal,
      seed: options.seed, limit: options.limit, earlyStopping: early,
      checkpoint: options.checkpoint && { ...options.checkpoint, models: { model }, optimizers: { optimizer } },
      step: ({ xs, ys }) => {
        let acc: tf.Scalar | undefined;
        const loss = optimizer.minimize(() => {
          const out = model.apply(xs, { training: true }) as tf.Tensor;
          acc = tf.keep(accuracy(out, ys, fromLogits));
          return lossFn(out, ys);
        }, true, vars) as tf.Scalar;
        return { loss, accuracy: acc as tf.Scalar };
      },
      validate: validationSplit
        ? async () => {
          const v = await evaluateSplit(model, data, {
            split: validationSplit, batchSize: Math.max(options.batchSize, 256), limit: options.validationLimit,
            fromLogits, toTensors: options.toTensors, signal: options.signal,
          });
          return { val_loss: v.loss, val_accuracy: v.accuracy };
        }
        : undefined,
      onEpochEnd: early?.restoreBestWeights
        ? ({ improved }) => {
          if (!improved) return;
          if (best) tf.dispose(best);
          best = model.getWeights().map((w) => tf.clone(w));
        }
        : undefined,
    });
    if (best && result.stoppedEarly) model.setWeights(best);
    return result;
  } finally {
    if (best) tf.dispose(best);
    if (ownsOptimizer) optimizer.dispose();
  }
}
