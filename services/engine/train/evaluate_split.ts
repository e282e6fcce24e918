// Loss and accuracy of a classifier over one split, accumulated on the device and read once.
import { tf } from '../backend/index.ts';
import type { Batch, Dataset, Split } from '../data/types.ts';
import type { BatchTensors } from './loop.ts';
import { accuracy } from './metrics.ts';
import { sparseCategoricalCrossEntropy } from './losses.ts';

export interface EvaluateSplitOptions {
  split?: Split;
  batchSize?: number;
  limit?: number;
  fromLogits: boolean;
  toTensors?: (batch: Batch) => BatchTensors;
  signal?: AbortSignal;
}

export async function evaluateSplit(
  model: tf.LayersModel, data: Dataset, options: EvaluateSplitOptions,
): Promise<{ loss: number; accuracy: number; samples: number }> {
  const split = options.split ?? 'validation';
  if (data.info.kind === 'text' && !options.toTensors) {
    throw new Error('text datasets need a toTensors(batch) option that featurizes batch.texts');
  }
  const toTensors = options.toTensors ?? ((batch: Batch): BatchTensors => {
    if (!batch.x) throw new Error('batch has no feature array x; pass toTensors to featurize it');
    return { xs: tf.tensor(batch.x, [batch.size, ...data.info.inputShape], 'float32'), ys: tf.tensor1d(batch.y, 'int32') };
  });
  let totals = tf.zeros([2]);
  let samples = 0;
  try {
    for await (const batch of data.batches(split, options.batchSize ?? 256, { limit: options.limit })) {
      if (options.signal?.aborted) {
        const err = new Error('evaluation cancelled');
        err.name = 'AbortError';
        throw err;
      }
      const { xs, ys } = toTensors(batch);
      const next = tf.tidy(() => {
        const out = model.apply(xs, { training: false }) as tf.Tensor;
        const loss = sparseCategoricalCrossEntropy(out, ys, options.fromLogits);
        return tf.add(totals, tf.mul(tf.stack([loss, accuracy(out, ys, options.fromLogits)]), batch.size));
      });
      tf.dispose([xs, ys, totals]);
      totals = next;
      samples += batch.size;
    }
    const [loss, acc] = samples > 0 ? Array.from(await totals.data()).map((v) => v / samples) : [Number.NaN, Number.NaN];
    return { loss, accuracy: acc, samples };
  } finally {
    totals.dispose();
  }
}
