// One worker thread of the bench teacher's data-parallel training (trainTeacher in cifar.ts with
// `workers` > 1), as services/demo/teacher-worker.ts trains the demo's teacher: every worker holds
// the same model (imported from the same zip), walks the same shuffled batches with the same
// seeded crops and flips, and computes the gradient of its own slice of each batch; the slices'
// gradients are summed in shared memory after a barrier and every worker applies the same Adam
// update (synchronous data parallelism, Sergeev & Del Balso 2018). Batch norm normalises each
// slice with its own statistics (no cross-worker sync), and rank 0's moving averages are the ones
// saved. The main thread drives it one epoch at a time ({ epoch } messages), so it can checkpoint,
// evaluate and stop between epochs; rank 0 answers each epoch with the model as a layers zip.
import { parentPort, workerData } from 'node:worker_threads';
import { augmentImages, batchRandom } from '../../plugins/distillation/src/augment.ts';
import { initEngine, tf } from '../../services/engine/backend/index.ts';
import { openDataset } from '../../services/engine/data/index.ts';
import { exportTfjsLayersZip } from '../../services/engine/export/export-tfjs.ts';
import { importModel } from '../../services/engine/import/index.ts';
import { barrier, runTrainingLoop, shard, trainableVariables } from '../../services/engine/train/index.ts';
import { sparseCategoricalCrossEntropy } from '../../services/engine/train/losses.ts';

export interface CifarTeacherJob {
  rank: number;
  workers: number;
  dataset: { bytes: Uint8Array; filename: string };
  /** The model to train (its current weights), as a TF.js layers zip. */
  model: Uint8Array;
  epochs: number;
  batchSize: number;
  baseLearningRate: number;
  flip: boolean;
  /** SharedArrayBuffer: 2 banks × workers × parameters float32 gradient slots. */
  gradients: SharedArrayBuffer;
  /** SharedArrayBuffer: the barrier's [arrived, generation]. */
  barrier: SharedArrayBuffer;
}

export type CifarTeacherRequest = { type: 'epoch'; epoch: number } | { type: 'stop' };
export type CifarTeacherReply =
  | { type: 'ready' }
  | { type: 'epoch-done'; epoch: number; zip?: Uint8Array; samplesPerSecond: number }
  | { type: 'error'; message: string };

/** Seed of epoch `epoch`'s shuffle: the same as the single-thread trainer's. */
export const epochSeed = (epoch: number) => 1 + epoch * 7919;

const BARRIER_TIMEOUT_MS = 300_000;

async function main(): Promise<void> {
  const job = workerData as CifarTeacherJob;
  const port = parentPort!;
  const post = (m: CifarTeacherReply, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);
  await initEngine();
  const data = await openDataset(job.dataset, { seed: 1 });
  const model = (await importModel({ filename: 'teacher.zip', bytes: job.model })).model!;
  const optimizer = tf.train.adam(job.baseLearningRate);
  const vars = trainableVariables(model);
  const sizes = vars.map((v) => v.size);
  const total = sizes.reduce((a, b) => a + b, 0);
  const slots = new Float32Array(job.gradients);
  if (slots.length !== 2 * job.workers * total) throw new Error(`gradient buffer holds ${slots.length} floats, expected ${2 * job.workers * total}`);
  const state = new Int32Array(job.barrier);
  const shape = data.info.inputShape;
  const pixels = shape.reduce((a, b) => a * b, 1);
  const stepsPerEpoch = Math.ceil(data.info.splits.train / job.batchSize);
  const totalSteps = job.epochs * stepsPerEpoch;
  let bank = 0;
  const trainEpoch = async (epoch: number): Promise<number> => {
    const started = performance.now();
    let index = 0; // toTensors sees the epoch's batches in order
    await runTrainingLoop({
      data, epochs: 1, batchSize: job.batchSize, seed: epochSeed(epoch), progressEvery: 1000,
      toTensors: (batch) => {
        // Every worker augments the whole batch (the same draws everywhere), then keeps its slice.
        const [from, to] = shard(batch.size, job.rank, job.workers);
        const a = augmentImages(batch.x!, batch.size, shape, { cropPadding: Math.floor(shape[0]! / 8), flip: job.flip, mixup: 0 }, batchRandom(1, epoch * stepsPerEpoch + index++));
        return { xs: tf.tensor(a.x.subarray(from * pixels, to * pixels), [to - from, ...shape]), ys: tf.tensor1d(batch.y.subarray(from, to), 'int32') };
      },
      step: ({ xs, ys, batch, step }) => {
        const global = epoch * stepsPerEpoch + step;
        (optimizer as unknown as { learningRate: number }).learningRate = 0.5 * job.baseLearningRate * (1 + Math.cos((Math.PI * global) / totalSteps));
        const n = xs.shape[0]!;
        const mine = slots.subarray((bank * job.workers + job.rank) * total, (bank * job.workers + job.rank + 1) * total);
        let loss: tf.Scalar | undefined;
        if (n === 0) mine.fill(0);
        else {
          // This slice's share of the batch mean: its mean weighted by its size.
          const { value, grads } = tf.variableGrads(() => tf.mul(sparseCategoricalCrossEntropy(model.apply(xs, { training: true }) as tf.Tensor, ys, false), n / batch.size) as tf.Scalar, vars);
          let offset = 0;
          for (const v of vars) {
            mine.set(grads[v.name]!.dataSync() as Float32Array, offset);
            offset += v.size;
          }
          tf.dispose(grads);
          loss = value;
        }
        barrier(state, job.workers, BARRIER_TIMEOUT_MS);
        // Everyone sums the slots in rank order: identical sums, identical updates.
        const sum = new Float32Array(total);
        for (let r = 0; r < job.workers; r++) {
          const slot = slots.subarray((bank * job.workers + r) * total, (bank * job.workers + r + 1) * total);
          for (let i = 0; i < total; i++) sum[i]! += slot[i]!;
        }
        bank ^= 1;
        let offset = 0;
        const named = vars.map((v, i) => {
          const tensor = tf.tensor(sum.subarray(offset, offset + sizes[i]!), v.shape);
          offset += sizes[i]!;
          return { name: v.name, tensor };
        });
        optimizer.applyGradients(named);
        tf.dispose(named.map((g) => g.tensor));
        return loss ? { loss } : undefined;
      },
    });
    return data.info.splits.train / ((performance.now() - started) / 1000);
  };
  port.on('message', (m: CifarTeacherRequest) => {
    if (m.type === 'stop') {
      optimizer.dispose();
      model.dispose();
      void data.close().then(() => port.close());
      return;
    }
    trainEpoch(m.epoch).then(async (samplesPerSecond) => {
      if (job.rank !== 0) return post({ type: 'epoch-done', epoch: m.epoch, samplesPerSecond });
      const zip = await exportTfjsLayersZip(model);
      post({ type: 'epoch-done', epoch: m.epoch, zip, samplesPerSecond }, [zip.buffer as ArrayBuffer]);
    }).catch((err: unknown) => post({ type: 'error', message: (err as Error)?.message ?? String(err) }));
  });
  post({ type: 'ready' });
}

main().catch((err: unknown) => parentPort!.postMessage({ type: 'error', message: (err as Error)?.message ?? String(err) } satisfies CifarTeacherReply));
