// Quantization-aware fine-tuning (Jacob et al. 2018): the forward pass sees int8 weights and
// activations, gradients pass straight through to float "shadow" weights, and the ranges of the
// input and of every quantized activation follow an exponential moving average of the batch
// min/max (a rare outlier sample moves them a little, not to its own extreme as min/max
// calibration does).
import {
  ACTIVATION_RANGES_VERSION, fineTune, type ActivationRanges, type Layer, type LayersModel, type PluginContext, type Tensor,
} from '@condense/plugin-sdk';
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

/**
 * The ranges QAT trained with, per tensor of the int8 file (layer outputs by layer name, the
 * input, the logits before a separate softmax/sigmoid/tanh): carried in the candidate's export
 * hints so the host's exporter uses them instead of re-calibrating, which would undo them.
 */
export function learnedRanges(ranges: Ranges): ActivationRanges {
  const byName = (m: Map<Layer, Range>) => Object.fromEntries([...m].map(([layer, r]) => [layer.name, { min: r.min, max: r.max }]));
  return {
    version: ACTIVATION_RANGES_VERSION,
    input: { min: ranges.input.min, max: ranges.input.max },
    outputs: byName(ranges.layers),
    ...(ranges.preActivation.size > 0 ? { preActivations: byName(ranges.preActivation) } : {}),
  };
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
  // Batch min/max of every quantized tensor this step's forward pass saw, with where its moving
  // average lives: the input, a calibrated layer output, a linear output before its activation.
  const stats: Array<{ set: (range: Range) => void; get: () => Range; t: Tensor }> = [];
  const observe = (get: () => Range, set: (range: Range) => void, v: Tensor) => {
    stats.push({ get, set, t: tf.keep(tf.stack([tf.min(v), tf.max(v)])) });
  };
  const release = () => {
    tf.dispose(stats.map((s) => s.t));
    stats.length = 0;
  };
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
      forward: (xs) => {
        release();
        observe(() => ranges.input, (r) => { ranges.input = r; }, xs);
        return quantizedForward(ctx, model, plan, ranges, xs, true, (layer, v, pre) => {
          const into = pre ? ranges.preActivation : plan.calibrated.has(layer) ? ranges.layers : undefined;
          if (into?.has(layer)) observe(() => into.get(layer)!, (r) => into.set(layer, r), v);
        });
      },
      // Straight-through: the kernel's gradient updates its float shadow.
      mapGradients: (grads) => Object.fromEntries(Object.entries(grads).map(([name, grad]) => [shadowOf.get(name)?.name ?? name, grad])),
      afterStep: () => {
        if (stats.length > 0) {
          const values = tf.concat(stats.map((s) => s.t)).dataSync();
          stats.forEach((s, i) => s.set(ema(s.get(), values[2 * i], values[2 * i + 1], options.emaDecay)));
        }
        release();
      },
    });
  } finally {
    release();
    // The model keeps the float weights the quantized ones came from.
    for (const { variable } of kernels) variable.write(shadowOf.get(variable.name)!);
    for (const shadow of shadowOf.values()) shadow.dispose();
  }
  return ranges;
}
