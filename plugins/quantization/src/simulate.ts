// Post-training int8 simulated in tfjs: calibrate activation ranges on training samples, then
// run the model with per-channel int8 weights and int8 activations and measure accuracy.
import type { Layer, LayersModel, PluginContext, PluginSplit, Tensor } from '@condense/plugin-sdk';
import { activationParams, fakeQuantActivation, fakeQuantWeights, type Range } from './fake-quant.ts';
import { forward, type ComputeHook } from './forward.ts';
import { activationOf, planQuantPoints, quantizedKernels, type QuantPlan } from './quant-points.ts';

export interface Ranges {
  input: Range;
  layers: Map<Layer, Range>;
  /** Pre-activation outputs of the plan's `preActivation` layers. */
  preActivation: Map<Layer, Range>;
}

/**
 * A Dense layer whose activation TFLite runs as a separate op: x·W + b, `onLinear` (which may
 * quantize it), then the activation. Undefined for inputs of rank > 2 (applied as usual).
 */
function separateActivation(ctx: PluginContext, plan: QuantPlan, onLinear: (layer: Layer, z: Tensor) => Tensor): ComputeHook {
  const { tf } = ctx;
  return (layer, inputs) => {
    if (!plan.preActivation.has(layer) || inputs.length !== 1 || inputs[0].rank !== 2) return undefined;
    const [kernel, bias] = layer.getWeights();
    let z = tf.matMul(inputs[0] as never, kernel as never) as Tensor;
    if (bias) z = tf.add(z, bias);
    z = onLinear(layer, z);
    const activation = activationOf(layer);
    return activation === 'softmax' ? tf.softmax(z) : activation === 'sigmoid' ? tf.sigmoid(z) : tf.tanh(z);
  };
}

const BATCH = 64;

function widen(range: Range | undefined, lo: number, hi: number): Range {
  return range ? { min: Math.min(range.min, lo), max: Math.max(range.max, hi) } : { min: lo, max: hi };
}

/** Min/max of the input and of every calibrated layer output over `samples` training samples. */
export async function calibrate(ctx: PluginContext, model: LayersModel, plan: QuantPlan, samples: number): Promise<Ranges> {
  const { tf } = ctx;
  let input: Range | undefined;
  const layers = new Map<Layer, Range>();
  const preActivation = new Map<Layer, Range>();
  for await (const batch of ctx.data.batches('train', BATCH, { limit: samples })) {
    if (ctx.signal.aborted) throw new Error('calibration cancelled');
    const stats: Array<{ into: Map<Layer, Range> | null; layer: Layer | null; t: Tensor }> = [];
    const record = (into: Map<Layer, Range> | null, layer: Layer | null, v: Tensor) => {
      stats.push({ into, layer, t: tf.keep(tf.stack([tf.min(v), tf.max(v)])) });
      return v;
    };
    tf.tidy(() => {
      const x = tf.tensor(batch.x!, [batch.size, ...ctx.data.info.inputShape]);
      forward(model, x, false, (v) => record(null, null, v), (layer, v) => (plan.calibrated.has(layer) ? record(layers, layer, v) : v),
        separateActivation(ctx, plan, (layer, z) => record(preActivation, layer, z)));
    });
    const values = tf.tidy(() => tf.concat(stats.map((s) => s.t)).dataSync());
    stats.forEach((s, i) => {
      s.t.dispose();
      const [lo, hi] = [values[2 * i], values[2 * i + 1]];
      if (s.into && s.layer) s.into.set(s.layer, widen(s.into.get(s.layer), lo, hi));
      else input = widen(input, lo, hi);
    });
  }
  if (!input) throw new Error('the training split has no samples to calibrate on');
  return { input, layers, preActivation };
}

/** Forward pass with int8 activations at the plan's points (weights as they are in the model). */
export function quantizedForward(
  ctx: PluginContext, model: LayersModel, plan: QuantPlan, ranges: Ranges, x: Tensor, training: boolean,
  observe?: (layer: Layer, output: Tensor, preActivation?: boolean) => void,
): Tensor {
  const { tf } = ctx;
  const inputParams = activationParams(ranges.input);
  return forward(model, x, training, (v) => fakeQuantActivation(tf, v, inputParams), (layer, v) => {
    observe?.(layer, v);
    const fixed = plan.fixed.get(layer);
    if (fixed) return fakeQuantActivation(tf, v, fixed);
    const source = plan.tied.get(layer);
    if (source) {
      const params = source === 'input' ? inputParams : plan.fixed.get(source) ?? activationParams(ranges.layers.get(source) ?? ranges.input);
      return fakeQuantActivation(tf, v, params);
    }
    const range = ranges.layers.get(layer);
    return range ? fakeQuantActivation(tf, v, activationParams(range)) : v;
  }, separateActivation(ctx, plan, (layer, z) => {
    observe?.(layer, z, true);
    const range = ranges.preActivation.get(layer);
    return range ? fakeQuantActivation(tf, z, activationParams(range)) : z;
  }));
}

/** Top-1 accuracy on a split, of the float model or of its int8 simulation. */
export async function accuracyOn(
  ctx: PluginContext, model: LayersModel, split: PluginSplit, limit: number, simulation?: { plan: QuantPlan; ranges: Ranges },
): Promise<{ accuracy: number; samples: number }> {
  const { tf } = ctx;
  let correct = 0;
  let samples = 0;
  for await (const batch of ctx.data.batches(split, BATCH, { limit })) {
    if (ctx.signal.aborted) throw new Error('evaluation cancelled');
    correct += tf.tidy(() => {
      const x = tf.tensor(batch.x!, [batch.size, ...ctx.data.info.inputShape]);
      const out = simulation ? quantizedForward(ctx, model, simulation.plan, simulation.ranges, x, false) : model.predict(x) as Tensor;
      return Math.round(ctx.train.accuracy(out, tf.tensor1d(batch.y, 'int32')).dataSync()[0] * batch.size);
    });
    samples += batch.size;
  }
  return { accuracy: samples > 0 ? correct / samples : NaN, samples };
}

/** Replaces every kernel by its per-channel int8 value; returns a function restoring the floats. */
export function quantizeKernelsInPlace(ctx: PluginContext, model: LayersModel): () => void {
  const { tf } = ctx;
  const saved = quantizedKernels(model).map(({ variable, channels }) => {
    const original = tf.clone(variable.read());
    const quantized = fakeQuantWeights(tf, original, channels);
    variable.write(quantized);
    quantized.dispose();
    return { variable, original };
  });
  return () => {
    for (const { variable, original } of saved) {
      variable.write(original);
      original.dispose();
    }
  };
}

export interface SimulationResult {
  floatAccuracy: number;
  int8Accuracy: number;
  samples: number;
  plan: QuantPlan;
  ranges: Ranges;
}

/** Float vs simulated full-integer accuracy on the validation split. */
export async function simulatePtq(ctx: PluginContext, model: LayersModel, calibrationSamples: number, evaluationSamples: number): Promise<SimulationResult> {
  const plan = planQuantPoints(model);
  const ranges = await calibrate(ctx, model, plan, calibrationSamples);
  // The validation split decides; a dataset without one falls back to training samples.
  const split: PluginSplit = ctx.data.info.splits.validation > 0 ? 'validation' : 'train';
  const float = await accuracyOn(ctx, model, split, evaluationSamples);
  const restore = quantizeKernelsInPlace(ctx, model);
  try {
    const int8 = await accuracyOn(ctx, model, split, evaluationSamples, { plan, ranges });
    return { floatAccuracy: float.accuracy, int8Accuracy: int8.accuracy, samples: int8.samples, plan, ranges };
  } finally {
    restore();
  }
}
