// Quantization-aware fine-tuning (Jacob et al. 2018): the forward pass sees int8 weights and
// activations, gradients pass straight through to float "shadow" weights, and activation ranges
// follow an exponential moving average of the batch min/max.
import type { LayersModel, PluginContext, Tensor } from '@condense/plugin-sdk';
import { fakeQuantWeights, type Range } from './fake-quant.ts';
import { lossFor } from './loss.ts';
import { planQuantPoints, quantizedKernels } from './quant-points.ts';
import { calibrate, quantizedForward, type Ranges } from './simulate.ts';
import type { Layer } from './types.ts';

export interface QatOptions {
  epochs: number;
  batchSize: number;
  learningRate: number;
  calibrationSamples: number;
  samplesPerEpoch: number;
  emaDecay: number;
  candidate: string;
}

let shadowCounter = 0;

function ema(range: Range, lo: number, hi: number, decay: number): Range {
  return { min: decay * range.min + (1 - decay) * lo, max: decay * range.max + (1 - decay) * hi };
}

/** Fine-tunes `model` in place with fake quantization; returns the final EMA ranges. */
export async function quantizationAwareFineTune(ctx: PluginContext, model: LayersModel, options: QatOptions): Promise<Ranges> {
  const { tf } = ctx;
  const plan = planQuantPoints(model);
  const ranges = await calibrate(ctx, model, plan, options.calibrationSamples);
  const loss = lossFor(ctx, model);
  const kernels = quantizedKernels(model);
  const shadowOf = new Map(kernels.map(({ variable }) => [
    variable.name,
    tf.variable(tf.clone(variable.read()), true, `qat_shadow_${shadowCounter++}`),
  ]));
  const trainable = model.trainableWeights.map((w) => w.read());
  const optimizer = ctx.train.createOptimizer({ name: 'adam', learningRate: options.learningRate });
  const points = [...plan.calibrated];
  try {
    await ctx.train.runTrainingLoop({
      epochs: options.epochs,
      batchSize: options.batchSize,
      limit: options.samplesPerEpoch > 0 ? options.samplesPerEpoch : undefined,
      candidate: options.candidate,
      phase: 'qat',
      step: ({ xs, ys }) => {
        // Forward with int8 weights: write the quantized shadow into the layer's kernel.
        for (const { variable, channels } of kernels) {
          const quantized = fakeQuantWeights(tf, shadowOf.get(variable.name)!, channels);
          variable.write(quantized);
          quantized.dispose();
        }
        const stats = new Map<Layer, Tensor>();
        const { value, grads } = tf.variableGrads(() => {
          const out = quantizedForward(ctx, model, plan, ranges, xs, true, (layer, v) => {
            if (plan.calibrated.has(layer)) stats.set(layer, tf.keep(tf.stack([tf.min(v), tf.max(v)])));
          });
          return loss(out, ys) as never;
        }, trainable as never);
        // Straight-through: the kernel's gradient updates its float shadow.
        const named: Record<string, Tensor> = {};
        for (const [name, grad] of Object.entries(grads)) named[shadowOf.get(name)?.name ?? name] = grad;
        optimizer.applyGradients(named as never);
        const observed = points.filter((l) => stats.has(l));
        if (observed.length > 0) {
          const values = tf.tidy(() => tf.concat(observed.map((l) => stats.get(l)!)).dataSync());
          observed.forEach((layer, i) => ranges.layers.set(layer, ema(ranges.layers.get(layer)!, values[2 * i], values[2 * i + 1], options.emaDecay)));
        }
        tf.dispose([...stats.values(), ...Object.values(grads)]);
        return { loss: value };
      },
    });
  } finally {
    // The model keeps the float weights the quantized ones came from.
    for (const { variable } of kernels) {
      const shadow = shadowOf.get(variable.name)!;
      variable.write(shadow);
    }
    for (const shadow of shadowOf.values()) shadow.dispose();
    optimizer.dispose();
  }
  return ranges;
}
