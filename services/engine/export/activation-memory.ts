// Peak activation memory of a lowered model at batch 1: walk the operators in order, keep every
// non-constant tensor alive from its producer (or the start, for inputs) to its last reader
// (or the end, for outputs), and take the largest live total. A greedy arena can do no better.
import type { TensorSpec, TfliteModelSpec } from './tflite-model.ts';
import type { TensorTypeName } from './tflite-schema.ts';

const BYTES: Record<TensorTypeName, number> = { FLOAT32: 4, FLOAT16: 2, INT32: 4, UINT8: 1, INT64: 8, INT16: 2, INT8: 1 };

export function tensorBytes(t: TensorSpec): number {
  return t.shape.reduce((a, d) => a * d, 1) * BYTES[t.type];
}

export function peakActivationBytes(spec: TfliteModelSpec): number {
  const n = spec.operators.length;
  const first = new Map<number, number>();
  const last = new Map<number, number>();
  // Outputs of ops over constants only (DEQUANTIZE of stored weights) are weights, not activations.
  const derived = new Set<number>();
  for (const op of spec.operators) {
    if (op.inputs.every((i) => i < 0 || spec.tensors[i].data !== undefined || derived.has(i))) for (const o of op.outputs) derived.add(o);
  }
  const isActivation = (i: number) => i >= 0 && spec.tensors[i].data === undefined && !derived.has(i);
  for (const i of spec.inputs) first.set(i, 0);
  spec.operators.forEach((op, step) => {
    for (const i of op.outputs) if (isActivation(i) && !first.has(i)) first.set(i, step);
    for (const i of op.inputs) if (isActivation(i)) last.set(i, step);
  });
  for (const i of spec.outputs) last.set(i, n - 1);
  let peak = 0;
  for (let step = 0; step < Math.max(n, 1); step++) {
    let live = 0;
    for (const [i, start] of first) {
      if (start <= step && (last.get(i) ?? start) >= step) live += tensorBytes(spec.tensors[i]);
    }
    peak = Math.max(peak, live);
  }
  return peak;
}
