// One worker thread of the demo teacher's data-parallel training (teacher.ts). Every worker holds
// the same model (same seeded initialisers), walks the same shuffled batches with the same
// random shifts, and computes the gradient of its own slice of each batch; the slices' gradients
// meet in shared memory after a barrier (synchronous data parallelism, as in Horovod: Sergeev &
// Del Balso 2018). The Adam step is sharded too (ZeRO stage 1: Rajbhandari et al. 2020): each
// worker keeps the moments of its own share of the parameters, updates only that share, and
// after a second barrier every worker loads the whole new weight vector — so all copies stay
// identical and no worker repeats another's update. tfjs's wasm backend is single-threaded in
// Node, so this is how the teacher uses more than one core.
import { parentPort, workerData } from 'node:worker_threads';
import { initEngine, tf } from '../engine/backend/index.ts';
import { openDataset } from '../engine/data/index.ts';
import { evaluateModel } from '../engine/evaluate/index.ts';
import { exportTfjsLayersZip } from '../engine/export/index.ts';
import { mulberry32 } from '../engine/random.ts';
import { barrier, runTrainingLoop, shard, trainableVariables } from '../engine/train/index.ts';
import type { TeacherJob, TeacherMessage, TeacherStart } from './teacher.ts';
import { adamShard, shiftImages, teacherCnn, teacherLearningRate, teacherLoss } from './teacher-model.ts';

const job = workerData as TeacherJob;
const port = parentPort!;
const post = (m: TeacherMessage, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);
/** A worker that waits this long at the barrier gives up (another one died). */
const BARRIER_TIMEOUT_MS = 120_000;

async function main(): Promise<void> {
  await initEngine();
  const model = teacherCnn(job.seed);
  const vars = trainableVariables(model);
  const total = vars.reduce((n, v) => n + v.size, 0);
  // The launcher sizes the shared memory from what every worker reports.
  const started = new Promise<TeacherStart>((resolve) => port.once('message', resolve));
  post({ type: 'ready', parameters: total });
  const start = await started;
  const data = await openDataset({ bytes: start.bytes, filename: start.filename }, { seed: 1 });
  // One gradient slot per worker, read by everyone between the two barriers of a step; the
  // weights, written by their owners between the same barriers and read by everyone after.
  const slots = Array.from({ length: job.workers }, (_, r) => new Float32Array(start.gradients, r * total * 4, total));
  const weights = new Float32Array(start.weights);
  if (start.gradients.byteLength !== job.workers * total * 4 || weights.length !== total) throw new Error(`shared memory sized for ${weights.length} parameters, the model has ${total}`);
  const state = new Int32Array(start.barrier);
  const [from, to] = shard(total, job.rank, job.workers);
  const m = new Float32Array(to - from);
  const v = new Float32Array(to - from);
  const offsets = vars.map((_, i) => vars.slice(0, i).reduce((n, w) => n + w.size, 0));
  vars.forEach((w, i) => { // every worker starts from the same seeded weights: each writes its share
    const own = w.dataSync() as Float32Array;
    const a = Math.max(from, offsets[i]!);
    const b = Math.min(to, offsets[i]! + w.size);
    if (a < b) weights.set(own.subarray(a - offsets[i]!, b - offsets[i]!), a);
  });
  const side = data.info.inputShape[0]!;
  const pixels = data.info.inputShape.reduce((a, b) => a * b, 1);
  const random = mulberry32(job.seed);
  try {
    await runTrainingLoop({
      data, epochs: job.epochs, batchSize: job.batchSize, seed: job.seed, progressEvery: 10,
      // Every worker shifts the whole batch (the same random draws everywhere), then keeps its slice.
      toTensors: (batch) => {
        const [a, b] = shard(batch.size, job.rank, job.workers);
        const shifted = shiftImages(batch.x!, batch.size, side, random);
        return {
          xs: tf.tensor(shifted.subarray(a * pixels, b * pixels), [b - a, ...data.info.inputShape]),
          ys: tf.tensor1d(batch.y.subarray(a, b), 'int32'),
        };
      },
      step: ({ xs, ys, batch, globalStep, totalSteps }) => {
        const n = xs.shape[0]!;
        const mine = slots[job.rank]!;
        let loss: tf.Scalar | undefined;
        if (n === 0) mine.fill(0);
        else {
          // This slice's share of the batch mean: its mean weighted by its size.
          const { value, grads } = tf.variableGrads(() => tf.mul(teacherLoss(model.apply(xs, { training: true }) as tf.Tensor, ys), n / batch.size) as tf.Scalar, vars);
          vars.forEach((w, i) => mine.set(grads[w.name]!.dataSync() as Float32Array, offsets[i]!));
          tf.dispose(grads);
          loss = tf.tidy(() => tf.mul(value, batch.size / n) as tf.Scalar); // this slice's own mean, for progress
          value.dispose();
        }
        barrier(state, job.workers, BARRIER_TIMEOUT_MS); // every slot written (and every worker done loading the last weights)
        adamShard(weights, slots, m, v, from, teacherLearningRate(job.peakLearningRate, globalStep, totalSteps), globalStep + 1);
        barrier(state, job.workers, BARRIER_TIMEOUT_MS); // every share updated, every slot read
        tf.tidy(() => vars.forEach((w, i) => w.assign(tf.tensor(weights.subarray(offsets[i]!, offsets[i]! + w.size), w.shape))));
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
    model.dispose();
    await data.close();
  }
}

main().catch((err: unknown) => post({ type: 'error', message: (err as Error)?.message ?? String(err) }));
