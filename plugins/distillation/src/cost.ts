// What training a student costs on Condense's engine, from its architecture alone, so a time
// budget turns into epochs the same way every time (same budget → same epochs → same students).
// Per training sample: forward + backward ≈ 3 × the forward multiply-accumulates, plus a term per
// activation value (batch norm, ReLU and the other element-wise kernels that dominate small
// students on the wasm backend); the teacher adds one forward pass per sample.
// The two rates were fitted to `npm run bench:students`' step timings (see docs/planner.md).
import type { LayersModel } from '@condense/plugin-sdk';

/** Multiply-accumulates per second a training step reaches on the reference machine. */
export const MACS_PER_SECOND = 1.2e9;
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
  return cost.macs / MACS_PER_SECOND + cost.activations / (3 * ACTIVATIONS_PER_SECOND);
}
