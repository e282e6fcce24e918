// Gradient-descent fine-tuning on the host's training loop, with hooks for what compression
// techniques change in a step: masks re-applied after the update (pruning), gradients routed to
// other variables (shared centroids, float shadow weights), a custom forward pass (fake
// quantization). Loss, optimizer, variable list and tensor clean-up are handled here once.
import type { PluginContext } from '../context.ts';
import type { LayersModel, NamedTensorMap, Optimizer, Scalar, Tensor, Variable } from '../tf.ts';
import type { OptimizerName, OptimizerSpec, StepContext, TrainingLoopOptions, TrainingResult } from '../training.ts';
import { outputsLogits } from './output-kind.ts';

export interface FineTuneOptions extends Omit<TrainingLoopOptions, 'step' | 'limit'> {
  /** Adam's learning rate when `optimizer` is not given (default 1e-3). */
  learningRate?: number;
  /** An optimizer spec (created and disposed here) or an instance (yours to dispose). */
  optimizer?: Optimizer | OptimizerSpec | OptimizerName;
  /** At most this many training samples per epoch; 0 or absent: the whole split. */
  samplesPerEpoch?: number;
  /** What the loss is differentiated against (default: the model's trainable weights). */
  variables?: Variable[];
  /** Whether the model outputs logits; default: false when it ends in a softmax. */
  fromLogits?: boolean;
  /** Loss on (output, int32 labels); default the host's sparse categorical cross-entropy. */
  loss?: (output: Tensor, labels: Tensor) => Scalar;
  /** The forward pass the loss sees (default `model.apply(xs, { training: true })`). */
  forward?: (xs: Tensor, step: StepContext) => Tensor;
  /** Runs before the forward pass, e.g. to write fake-quantized weights or update masks. */
  beforeStep?: (step: StepContext) => void;
  /** Rewrites the gradients (keyed by variable name) before the optimizer applies them, e.g. to
   * update shared or shadow variables instead of the ones the forward pass read. */
  mapGradients?: (grads: NamedTensorMap, step: StepContext) => NamedTensorMap;
  /** Runs after the update, e.g. to re-apply masks; returned numbers are averaged like the loss. */
  afterStep?: (step: StepContext) => Record<string, number> | void;
}

function isOptimizer(value: FineTuneOptions['optimizer']): value is Optimizer {
  return typeof value === 'object' && typeof (value as Optimizer).applyGradients === 'function';
}

/**
 * Fine-tunes `model` in place with the host's training loop (`ctx.train.runTrainingLoop`).
 * Each step — hooks included — runs synchronously inside `tf.tidy`: tensors the hooks create are
 * freed after the step unless they `tf.keep` them. `epochs: 0` returns at once without training.
 */
export async function fineTune(
  ctx: Pick<PluginContext, 'tf' | 'train'>, model: LayersModel, options: FineTuneOptions,
): Promise<TrainingResult> {
  const { tf, train } = ctx;
  const {
    learningRate, optimizer: given, samplesPerEpoch, variables: givenVariables, fromLogits: givenFromLogits, loss: givenLoss,
    forward: givenForward, beforeStep, mapGradients, afterStep, ...loop
  } = options;
  if (options.epochs === 0) return { history: [], epochsCompleted: 0, stoppedEarly: false };
  const fromLogits = givenFromLogits ?? outputsLogits(model);
  const loss = givenLoss ?? ((output: Tensor, labels: Tensor) => train.losses.sparseCategoricalCrossEntropy(output, labels, fromLogits));
  const forward = givenForward ?? ((xs: Tensor) => model.apply(xs, { training: true }) as Tensor);
  const variables = givenVariables ?? model.trainableWeights.map((w) => w.read() as Variable);
  const ownsOptimizer = !isOptimizer(given);
  const optimizer = isOptimizer(given) ? given : train.createOptimizer(given ?? { name: 'adam', learningRate });
  try {
    return await train.runTrainingLoop({
      ...loop,
      limit: samplesPerEpoch && samplesPerEpoch > 0 ? samplesPerEpoch : undefined,
      step: (step) => tf.tidy(() => {
        beforeStep?.(step);
        const { value, grads } = tf.variableGrads(() => loss(forward(step.xs, step), step.ys), variables);
        optimizer.applyGradients(mapGradients ? mapGradients(grads, step) : grads);
        // The loss stays a tensor: the loop sums it on the device and reads it only to report.
        return { ...(afterStep?.(step) ?? {}), loss: value };
      }),
    });
  } finally {
    if (ownsOptimizer) optimizer.dispose();
  }
}
