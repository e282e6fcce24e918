// Quantization-aware fine-tuning (Jacob et al. 2018): the forward pass sees int8 weights and
// activations, gradients pass straight through to float "shadow" weights, and activation ranges
// follow an exponential moving average of the batch min/max.
import { fineTune, type Layer, type LayersModel, type PluginContext, type Tensor } from '@condense/plugin-sdk';
import { fakeQuantWeights, type Range } from './fake-quant.ts';
import { planQuantPoints, quantizedKernels } from './quant-points.ts';
import { calibrate, quantizedForward, type Ranges } from './simulate.ts';

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
  const kernels = quantizedKernels(model);
  // tf.variable copies its initial value's data reference: the copy handle is disposed at once.
  const shadowOf = new Map(kernels.map(({ variable }) => {
    const copy = tf.clone(variable.read());
    const shadow = tf.variable(copy, true, `qat_shadow_${shadowCounter++}`);
    copy.dispose();
    return [variable.name, shadow];
  }));
  const points = [...plan.calibrated];
  // Batch min/max of each calibrated activation, seen by this step's forward pass.
  const stats = new Map<Layer, Tensor>();
  try {
    await fineTune(ctx, model, {
      epochs: options.epochs,
      batchSize: options.batchSize,
      learningRate: options.learningRate,
      samplesPerEpoch: options.samplesPerEpoch,
      candidate: options.candidate,
      phase: 'qat',
      // Forward with int8 weights: write the quantized shadow into the layer's kernel.
      beforeStep: () => {
        for (const { variable, channels } of kernels) variable.write(fakeQuantWeights(tf, shadowOf.get(variable.name)!, channels));
      },
      forward: (xs) => quantizedForward(ctx, model, plan, ranges, xs, true, (layer, v) => {
        if (plan.calibrated.has(layer)) stats.set(layer, tf.keep(tf.stack([tf.min(v), tf.max(v)])));
      }),
      // Straight-through: the kernel's gradient updates its float shadow.
      mapGradients: (grads) => Object.fromEntries(Object.entries(grads).map(([name, grad]) => [shadowOf.get(name)?.name ?? name, grad])),
      afterStep: () => {
        const observed = points.filter((l) => stats.has(l));
        if (observed.length > 0) {
          const values = tf.concat(observed.map((l) => stats.get(l)!)).dataSync();
          observed.forEach((layer, i) => ranges.layers.set(layer, ema(ranges.layers.get(layer)!, values[2 * i], values[2 * i + 1], options.emaDecay)));
        }
        tf.dispose([...stats.values()]);
        stats.clear();
      },
    });
  } finally {
    tf.dispose([...stats.values()]);
    // The model keeps the float weights the quantized ones came from.
    for (const { variable } of kernels) variable.write(shadowOf.get(variable.name)!);
    for (const shadow of shadowOf.values()) shadow.dispose();
  }
  return ranges;
}
