// Batch-norm recalibration after training (the SDK's recalibrateBatchNorm, Yu & Huang 2019), kept
// only where the held-out split does not get worse. The clean-batch statistics are the right ones
// in principle, but a net trained on augmented batches has fitted its scales and shifts to the
// moving statistics of those batches: on CIFAR-10 the pruned ResNet-8 lost accuracy to the pass
// every time (bench/cifar-probes.ts, 2026-12-07: 56.55 → 56.00 % at ½ of the file, 54.25 → 52.40 %
// and 51.25 → 50.60 % at ¼), where on MNIST augmentation, recalibration and warm-up together
// gained 0.5–0.7 points (docs/planner.md).
import { batchNormLayers, recalibrateBatchNorm, type LayersModel, type PluginContext, type Tensor } from '@condense/plugin-sdk';

export interface RecalibrationOutcome {
  /** Held-out accuracy with the moving statistics, and with the recalibrated ones. */
  before: number;
  after: number;
  /** Whether the recalibrated statistics were kept (`after` ≥ `before`). */
  kept: boolean;
}

/**
 * Recalibrates `model`'s batch norm over `batches` clean training batches, scores it with `score`
 * (held-out accuracy) before and after, and puts the moving statistics back when the score fell.
 * Returns null when the model has no batch norm (nothing done).
 */
export async function recalibrateWhereItHelps(
  ctx: Pick<PluginContext, 'tf' | 'data'>, model: LayersModel, options: { batches: number; batchSize: number; seed: number; toInput?: (xs: Tensor) => Tensor },
  score: () => Promise<number>,
): Promise<RecalibrationOutcome | null> {
  const layers = batchNormLayers(model);
  if (layers.length === 0 || options.batches <= 0) return null;
  const before = await score();
  const saved = layers.map((layer) => layer.getWeights().map((w) => w.clone()));
  try {
    await recalibrateBatchNorm(ctx, model, options);
    const after = await score();
    const kept = after >= before;
    if (!kept) layers.forEach((layer, i) => layer.setWeights(saved[i]!));
    return { before, after, kept };
  } finally {
    for (const weights of saved) for (const w of weights) w.dispose();
  }
}
