// Runs the float IR graph with tfjs ops. Used to calibrate int8 activation ranges on exactly the
// graph that gets quantized (after BatchNorm folding and activation fusion).
import { tf } from '../backend/index.ts';
import type { IrGraph } from './ir.ts';
import { getOpSpec } from './op-specs.ts';

export interface TensorRange {
  min: number;
  max: number;
}

/**
 * Runs `graph` on one batch per input and calls `observe` with every non-constant tensor
 * (inputs included) before it is released. Returns the outputs (caller disposes them).
 */
export function runIr(graph: IrGraph, inputs: tf.Tensor[], observe?: (id: number, t: tf.Tensor) => void): tf.Tensor[] {
  const live = new Map<number, tf.Tensor>();
  const remaining = new Map<number, number>();
  for (const op of graph.ops) for (const i of op.inputs) remaining.set(i, (remaining.get(i) ?? 0) + 1);
  const constants = new Map<number, tf.Tensor>();
  const keep = new Set(graph.outputs);
  const release = (id: number) => {
    const n = (remaining.get(id) ?? 0) - 1;
    remaining.set(id, n);
    if (n <= 0 && !keep.has(id) && live.has(id) && !graph.inputs.includes(id)) {
      live.get(id)!.dispose();
      live.delete(id);
    }
  };
  try {
    graph.inputs.forEach((id, i) => {
      live.set(id, inputs[i]);
      observe?.(id, inputs[i]);
    });
    for (const op of graph.ops) {
      const args = op.inputs.map((id) => {
        const t = graph.tensors[id];
        if (t.value) {
          if (!constants.has(id)) constants.set(id, tf.tensor(t.value, t.shape.map((d) => Math.max(d, 1))));
          return constants.get(id)!;
        }
        if (t.intValue) {
          if (!constants.has(id)) constants.set(id, tf.tensor(t.intValue, [t.intValue.length], 'int32'));
          return constants.get(id)!;
        }
        const v = live.get(id);
        if (!v) throw new Error(`IR tensor ${t.name} used before it was computed`);
        return v;
      });
      const out = tf.tidy(() => getOpSpec(op.type).run(args, op, graph));
      live.set(op.outputs[0], out);
      observe?.(op.outputs[0], out);
      for (const id of op.inputs) if (!graph.isConstant(id)) release(id);
    }
    return graph.outputs.map((id) => {
      const t = live.get(id);
      if (!t) throw new Error(`IR output ${graph.tensors[id].name} was not computed`);
      return graph.inputs.includes(id) ? t.clone() : t;
    });
  } catch (err) {
    for (const [id, t] of live) if (!graph.inputs.includes(id)) t.dispose();
    throw err;
  } finally {
    for (const t of constants.values()) t.dispose();
  }
}

/** Min/max of every activation tensor over the representative samples. */
export async function calibrateRanges(
  graph: IrGraph,
  samples: AsyncIterable<Float32Array> | Iterable<Float32Array>,
  options: { maxSamples?: number; batchSize?: number } = {},
): Promise<Map<number, TensorRange>> {
  if (graph.inputs.length !== 1) throw new Error(`int8 calibration supports single-input models; this one has ${graph.inputs.length} inputs`);
  const sampleShape = graph.tensors[graph.inputs[0]].shape.slice(1);
  const sampleSize = sampleShape.reduce((a, b) => a * b, 1);
  const maxSamples = options.maxSamples ?? 500;
  // Graphs with batch-less activations (e.g. the LSH projection's [N] tensors) run one sample at a time.
  const batchable = graph.tensors.every((t) => graph.isConstant(t.id) || t.shape[0] === -1);
  const batchSize = batchable ? options.batchSize ?? 64 : 1;
  const ranges = new Map<number, TensorRange>();
  let pending: Float32Array[] = [];
  let pendingCount = 0;
  let seen = 0;

  const flush = () => {
    if (pendingCount === 0) return;
    const data = new Float32Array(pendingCount * sampleSize);
    let offset = 0;
    for (const chunk of pending) {
      data.set(chunk, offset);
      offset += chunk.length;
    }
    const x = tf.tensor(data, [pendingCount, ...sampleShape]);
    const outs = runIr(graph, [x], (id, t) => {
      const [lo, hi] = tf.tidy(() => [tf.min(t).dataSync()[0], tf.max(t).dataSync()[0]]);
      const r = ranges.get(id);
      ranges.set(id, r ? { min: Math.min(r.min, lo), max: Math.max(r.max, hi) } : { min: lo, max: hi });
    });
    tf.dispose([x, ...outs]);
    pending = [];
    pendingCount = 0;
  };

  for await (const chunk of samples as AsyncIterable<Float32Array>) {
    if (chunk.length % sampleSize !== 0) {
      throw new Error(`representative sample of ${chunk.length} values is not a multiple of the input size ${sampleSize} ([${sampleShape}])`);
    }
    const n = Math.min(chunk.length / sampleSize, maxSamples - seen);
    for (let start = 0; start < n;) {
      const take = Math.min(n - start, batchSize - pendingCount);
      pending.push(chunk.subarray(start * sampleSize, (start + take) * sampleSize));
      pendingCount += take;
      start += take;
      if (pendingCount >= batchSize) flush();
    }
    seen += n;
    if (seen >= maxSamples) break;
  }
  flush();
  if (seen === 0) throw new Error('representativeData is empty: int8 export needs calibration samples');
  return ranges;
}
