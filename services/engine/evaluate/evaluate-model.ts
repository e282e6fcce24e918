// Accuracy, top-k and confusion matrix of a tfjs model or an exported .tflite model over one split
// of a Dataset, streamed batch by batch (tensors are released per batch).
import { tf } from '../backend/index.ts';
import type { Dataset, Split } from '../data/types.ts';
import { loadTfliteModel } from '../runtime/tflite-node.ts';
import { measureHostLatency, type LatencyStats } from '../runtime/latency.ts';
import { ClassificationAccumulator, type ClassificationMetrics } from './classification-metrics.ts';

export interface EvaluateOptions {
  batchSize?: number;
  /** k for top-k accuracy (default 5, capped at the number of classes). */
  topK?: number;
  /** Evaluate at most this many samples of the split. */
  limit?: number;
}

export interface TfliteEvaluation extends ClassificationMetrics {
  sizeBytes: number;
  /** Host latency at batch 1, when `latency` was requested. */
  latency?: LatencyStats;
}

async function stream(dataset: Dataset, split: Split, options: EvaluateOptions, predict: (x: Float32Array, shape: number[]) => Promise<ArrayLike<number>> | ArrayLike<number>): Promise<ClassificationMetrics> {
  const { info } = dataset;
  if (info.kind !== 'tensor') throw new Error(`evaluation needs a tensor dataset; this one is '${info.kind}'`);
  const acc = new ClassificationAccumulator(info.numClasses, options.topK ?? 5);
  for await (const batch of dataset.batches(split, options.batchSize ?? 256, { limit: options.limit })) {
    if (!batch.x) throw new Error('dataset batch has no x values');
    acc.add(await predict(batch.x, [batch.size, ...info.inputShape]), batch.y);
  }
  if (acc.result().count === 0) throw new Error(`split '${split}' of the dataset is empty`);
  return acc.result();
}

/** Metrics of a tfjs model (its output is read as class scores). */
export function evaluateModel(model: tf.LayersModel, dataset: Dataset, split: Split, options: EvaluateOptions = {}): Promise<ClassificationMetrics> {
  return stream(dataset, split, options, async (x, shape) => {
    const out = tf.tidy(() => model.predict(tf.tensor(x, shape)) as tf.Tensor);
    try {
      return await out.data();
    } finally {
      out.dispose();
    }
  });
}

/** Metrics of an exported .tflite model run in the TFLite interpreter (wasm) in Node. */
export async function evaluateTflite(
  bytes: Uint8Array, dataset: Dataset, split: Split,
  options: EvaluateOptions & { latency?: boolean | { runs?: number; warmup?: number } } = {},
): Promise<TfliteEvaluation> {
  const model = await loadTfliteModel(bytes);
  let metrics: ClassificationMetrics;
  try {
    metrics = await stream(dataset, split, options, (x, shape) => model.predict(x, shape));
  } finally {
    model.dispose();
  }
  const latency = options.latency ? await measureHostLatency(bytes, options.latency === true ? {} : options.latency) : undefined;
  return { ...metrics, sizeBytes: bytes.length, ...(latency ? { latency } : {}) };
}
