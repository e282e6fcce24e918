// One worker thread of the demo teacher's data-parallel training (teacher.ts). Every worker holds
// the same model (same seeded initialisers), walks the same shuffled batches with the same
// random shifts, and computes the gradient of its own slice of each batch; the slices' gradients
// are summed through shared memory after a barrier, and every worker applies the same Adam
// update — so all copies stay identical (synchronous data parallelism, as in Horovod: Sergeev &
// Del Balso 2018). tfjs's wasm backend is single-threaded in Node, so this is how the teacher
// uses more than one core.
import { parentPort, workerData } from 'node:worker_threads';
import { initEngine, tf } from '../engine/backend/index.ts';
import { openDataset } from '../engine/data/index.ts';
import { evaluateModel } from '../engine/evaluate/index.ts';
import { exportTfjsLayersZip } from '../engine/export/index.ts';
import { mulberry32 } from '../engine/random.ts';
import { runTrainingLoop, trainableVariables } from '../engine/train/index.ts';
import { sparseCategoricalCrossEntropy } from '../engine/train/losses.ts';
import type { TeacherJob, TeacherMessage, TeacherStart } from './teacher.ts';
import { shard, shiftImages, teacherCnn, teacherLearningRate } from './teacher-model.ts';

const job = workerData as TeacherJob;
const port = parentPort!;
const post = (m: TeacherMessage, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);
/** A worker that waits this long at the barrier gives up (another one died). */
const BARRIER_TIMEOUT_MS = 120_000;

/** Sense-reversing barrier over [arrived, generation] in shared memory. */
function barrier(state: Int32Array, parties: number): void {
  const generation = Atomics.load(state, 1);
  if (Atomics.add(state, 0, 1) + 1 === parties) {
    Atomics.store(state, 0, 0);
    Atomics.add(state, 1, 1);
    Atomics.notify(state, 1);
    return;
  }
  while (Atomics.load(state, 1) === generation) {
    if (Atomics.wait(state, 1, generation, BARRIER_TIMEOUT_MS) === 'timed-out') throw new Error('teacher training: another worker stopped answering');
  }
}

async function main(): Promise<void> {
  await initEngine();
  const data = await openDataset({ bytes: job.bytes, filename: job.filename }, { seed: 1 });
  const model = teacherCnn(job.seed);
  const optimizer = tf.train.adam(job.peakLearningRate);
  const vars = trainableVariables(model);
  const sizes = vars.map((v) => v.size);
  const total = sizes.reduce((a, b) => a + b, 0);
  // The launcher sizes the shared slots from what every worker reports.
  const started = new Promise<TeacherStart>((resolve) => port.once('message', resolve));
  post({ type: 'ready', parameters: total });
  const { gradients, barrier: barrierState } = await started;
  // Two banks of one gradient slot per worker: a worker writing step t+1 into one bank never
  // meets a worker still reading step t from the other (it passed the barrier of step t+1 only
  // after everyone finished reading step t).
  const slots = new Float32Array(gradients);
  if (slots.length !== 2 * job.workers * total) throw new Error(`gradient buffer holds ${slots.length} floats, expected ${2 * job.workers * total}`);
  const state = new Int32Array(barrierState);
  const side = data.info.inputShape[0]!;
  const pixels = data.info.inputShape.reduce((a, b) => a * b, 1);
  const random = mulberry32(job.seed);
  let bank = 0;
  try {
    await runTrainingLoop({
      data, epochs: job.epochs, batchSize: job.batchSize, seed: job.seed, progressEvery: 10,
      // Every worker shifts the whole batch (the same random draws everywhere), then keeps its slice.
      toTensors: (batch) => {
        const [from, to] = shard(batch.size, job.rank, job.workers);
        const shifted = shiftImages(batch.x!, batch.size, side, random);
        return {
          xs: tf.tensor(shifted.subarray(from * pixels, to * pixels), [to - from, ...data.info.inputShape]),
          ys: tf.tensor1d(batch.y.subarray(from, to), 'int32'),
        };
      },
      step: ({ xs, ys, batch, globalStep, totalSteps }) => {
        (optimizer as unknown as { learningRate: number }).learningRate = teacherLearningRate(job.peakLearningRate, globalStep, totalSteps);
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
          loss = tf.tidy(() => tf.mul(value, batch.size / n) as tf.Scalar); // this slice's own mean, for progress
          value.dispose();
        }
        barrier(state, job.workers);
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
      onProgress: (p) => job.rank === 0 && post({ type: 'progress', progress: p }),
    });
    if (job.rank === 0) {
      const metrics = await evaluateModel(model, data, 'test');
      const zip = await exportTfjsLayersZip(model);
      post({ type: 'done', zip, parameterCount: model.countParams(), testAccuracy: metrics.accuracy }, [zip.buffer as ArrayBuffer]);
    } else post({ type: 'done' });
  } finally {
    optimizer.dispose();
    model.dispose();
    await data.close();
  }
}

main().catch((err: unknown) => post({ type: 'error', message: (err as Error)?.message ?? String(err) }));
