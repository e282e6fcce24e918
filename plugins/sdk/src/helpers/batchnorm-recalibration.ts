// BatchNorm recalibration after training (the "BN calibration" of Yu & Huang 2019, "Universally
// Slimmable Networks", arXiv 1903.05134, §3.2): the moving mean and variance a short,
// augmented, jointly-trained run leaves behind describe neither the final weights nor clean
// inputs. A few forward passes in training mode over clean training batches give each
// BatchNormalization layer the exact average of its batch statistics, which replace the
// moving ones. Used after distillation (the distillation plugin) and after structured pruning
// (the pruning plugin: the surviving channels' statistics moved while their neighbours were cut).
import type { PluginContext } from '../context.ts';
import type { Batch } from '../data.ts';
import type { LayersModel, Tensor } from '../tf.ts';

type Symbolic = LayersModel['outputs'][number];

/** Number of BatchNormalization layers of `model`. */
export function batchNormLayers(model: LayersModel): LayersModel['layers'] {
  return model.layers.filter((l) => l.getClassName() === 'BatchNormalization');
}

/**
 * Replaces the moving statistics of every BatchNormalization layer of `model` (over the channel
 * axis, the last) with the mean of its batch statistics over `batches` training batches of
 * `batchSize`. Returns the number of layers recalibrated (0 when the model has none).
 */
export async function recalibrateBatchNorm(
  ctx: Pick<PluginContext, 'tf' | 'data'>, model: LayersModel, options: { batches: number; batchSize: number; seed: number; toInput?: (xs: Tensor) => Tensor },
): Promise<number> {
  const { tf } = ctx;
  const layers = batchNormLayers(model);
  if (layers.length === 0 || options.batches <= 0) return 0;
  // One model that outputs every BN layer's input, run in training mode: upstream BN layers
  // normalise with batch statistics, as they did while training.
  const probe = tf.model({ inputs: model.inputs, outputs: layers.map((l) => l.input as Symbolic) });
  const sums = layers.map(() => ({ mean: undefined as Tensor | undefined, variance: undefined as Tensor | undefined }));
  let seen = 0;
  try {
    for await (const batch of ctx.data.batches('train', options.batchSize, { shuffleSeed: options.seed + 7919, limit: options.batches * options.batchSize }) as AsyncIterable<Batch>) {
      if (!batch.x || batch.size < 2) continue;
      tf.tidy(() => {
        const raw = tf.tensor(batch.x!, [batch.size, ...ctx.data.info.inputShape]);
        const xs = options.toInput ? options.toInput(raw) : raw;
        const outs = probe.apply(xs, { training: true }) as Tensor | Tensor[];
        const list = Array.isArray(outs) ? outs : [outs];
        list.forEach((out, i) => {
          const axes = Array.from({ length: out.rank - 1 }, (_, k) => k);
          const { mean, variance } = tf.moments(out, axes);
          // Unbiased batch variance, as Keras and PyTorch accumulate it.
          const n = out.size / out.shape[out.rank - 1]!;
          const unbiased = variance.mul(n / Math.max(1, n - 1));
          const s = sums[i];
          const nextMean = s.mean ? s.mean.add(mean) : mean;
          const nextVar = s.variance ? s.variance.add(unbiased) : unbiased;
          s.mean?.dispose();
          s.variance?.dispose();
          s.mean = tf.keep(nextMean);
          s.variance = tf.keep(nextVar);
        });
      });
      seen++;
    }
    if (seen === 0) return 0;
    layers.forEach((layer, i) => {
      const weights = layer.weights;
      const movingMean = weights.find((w) => /moving_mean/.test(w.originalName ?? w.name));
      const movingVar = weights.find((w) => /moving_variance/.test(w.originalName ?? w.name));
      if (!movingMean || !movingVar) return;
      tf.tidy(() => {
        movingMean.write(sums[i].mean!.div(seen));
        movingVar.write(sums[i].variance!.div(seen));
      });
    });
    return layers.length;
  } finally {
    for (const s of sums) {
      s.mean?.dispose();
      s.variance?.dispose();
    }
  }
}
