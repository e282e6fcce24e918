// What training a student costs on Condense's engine, from its architecture alone, so a time
// budget turns into epochs the same way every time (same budget → same epochs → same students).
// Per training sample: forward + backward ≈ 3 × the forward multiply-accumulates, plus a term per
// activation value (batch norm, ReLU and the other element-wise kernels that dominate small
// students on the wasm backend); the teacher adds one forward pass per sample.
// The two rates were fitted to `npm run bench:students`' step timings (see docs/planner.md).
import type { LayersModel } from '@condense/plugin-sdk';

/** Multiply-accumulates per second a training step reaches on the reference machine. Refitted
 * 2026-12-07 (tfjs wasm, batch 64, load ~4) on MLPerf Tiny's ResNet-8 and the MobileNet-style
 * students at 28×28×1 and 32×32×3: measured / modelled training seconds per sample 14.7/16.9 ms
 * (ResNet-8), 5.3/5.2 and 6.5/6.7 ms (width 1), 0.5/0.46 and 0.83/0.56 ms (width 0.5); the 1.2e9
 * before charged ResNet-8 2.4× its time, so a CIFAR budget bought under half the epochs it paid for. */
export const MACS_PER_SECOND = 3e9;
/** Multiply-accumulates per second of an inference pass (the teacher's): forward convolutions run
 * about twice as fast per MAC as the training step's mix of forward and backward kernels
 * (ResNet-8 2.6 ms a sample measured, 3.5 modelled; the students 0.9–1.3 vs 1.3–1.7 ms). */
export const INFERENCE_MACS_PER_SECOND = 6e9;
/** Activation values per second (forward + backward of the element-wise work). */
export const ACTIVATIONS_PER_SECOND = 6e7;
/** Fixed cost of one optimizer step of one student (kernel dispatch, gradient bookkeeping), and of one teacher batch. */
export const STEP_SECONDS = 0.004;
export const TEACHER_BATCH_SECONDS = 0.002;

export interface ModelCost {
  /** Forward multiply-accumulates per sample. */
  macs: number;
  /** Activation values per sample (every layer's output). */
  activations: number;
}

const product = (shape: readonly (number | null)[]) => shape.reduce<number>((a, d) => a * (d ?? 1), 1);

/** Forward MACs and activation count of one sample through `model`. */
export function modelCost(model: LayersModel): ModelCost {
  let macs = 0;
  let activations = 0;
  for (const layer of model.layers) {
    const out = layer.outputShape as (number | null)[] | (number | null)[][];
    const shape = (Array.isArray(out[0]) ? out[0] : out) as (number | null)[];
    const size = product(shape.slice(1));
    const cls = layer.getClassName();
    if (cls !== 'InputLayer') activations += size;
    const kernels = layer.weights.filter((w) => /kernel/.test(w.originalName ?? w.name));
    if (kernels.length === 0) continue;
    const kernelSize = kernels.reduce((a, w) => a + product(w.shape), 0);
    if (cls === 'Dense') macs += kernelSize * (shape.length > 2 ? product(shape.slice(1, -1)) : 1);
    else macs += kernelSize * product(shape.slice(1, -1)); // convolutions: every kernel weight once per output position
  }
  return { macs, activations };
}

/** Seconds one training sample costs a student (forward + backward). */
export function trainingSecondsPerSample(cost: ModelCost): number {
  return (3 * cost.macs) / MACS_PER_SECOND + cost.activations / ACTIVATIONS_PER_SECOND;
}

/** Seconds one teacher forward pass costs per sample. */
export function inferenceSecondsPerSample(cost: ModelCost): number {
  return cost.macs / INFERENCE_MACS_PER_SECOND + cost.activations / (3 * ACTIVATIONS_PER_SECOND);
}
