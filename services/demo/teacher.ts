// The teacher the demo compresses: a small CNN trained here, on the train split of the same NPZ
// the demo uploads, in worker threads (teacher-worker.ts), then saved as a TF.js layers zip
// (model.json + weights.bin).
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { initEngine, tf } from '../engine/backend/index.ts';
import type { TrainingProgress } from '../engine/train/types.ts';
import { bundledEntry } from '../isolation/bundle.ts';

export interface TrainedTeacher {
  zip: Uint8Array;
  parameterCount: number;
  testAccuracy: number;
  seconds: number;
}

/**
 * A realistic MNIST CNN, all-convolutional (Springenberg et al. 2015, "Striving for Simplicity":
 * strided convolutions where max-pooling was) at the widths of Keras' mnist_convnet example:
 * conv32 5×5/2 → conv64 3×3/2 → dense128 → softmax, 225,546 parameters, a ~0.9 MB float32
 * .tflite — the size and kind of model a team would bring. Striding instead of pooling costs
 * 0.78 M multiply-adds a digit against mnist_convnet's 2.6 M (conv32-pool-conv64-pool-dense128,
 * 225,034 parameters), so it trains in a third of the time at the same accuracy here.
 */
export function teacherCnn(seed: number): tf.LayersModel {
  const init = (k: number) => tf.initializers.heNormal({ seed: seed + k });
  return tf.sequential({
    name: 'digits_teacher',
    layers: [
      tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 32, kernelSize: 5, strides: 2, activation: 'relu', kernelInitializer: init(1) }),
      tf.layers.conv2d({ filters: 64, kernelSize: 3, strides: 2, activation: 'relu', kernelInitializer: init(2) }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 128, activation: 'relu', kernelInitializer: init(3) }),
      tf.layers.dense({ units: 10, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 4 }) }),
    ],
  });
}

/** Random shifts of up to this many pixels each way: with only ~8,500 training digits, shifted
 * copies are what lifts a few epochs above 98 % (LeCun et al. 1998 distort MNIST the same way). */
const MAX_SHIFT = 2;

/** Each image of the batch moved by its own seeded random offset in [-MAX_SHIFT, MAX_SHIFT]², zeros shifted in. */
export function shiftImages(x: Float32Array, size: number, side: number, random: () => number): Float32Array {
  const out = new Float32Array(x.length);
  const pixels = side * side;
  for (let i = 0; i < size; i++) {
    const dy = Math.floor(random() * (2 * MAX_SHIFT + 1)) - MAX_SHIFT;
    const dx = Math.floor(random() * (2 * MAX_SHIFT + 1)) - MAX_SHIFT;
    const base = i * pixels;
    for (let y = 0; y < side; y++) {
      const sy = y - dy;
      if (sy < 0 || sy >= side) continue;
      for (let xx = 0; xx < side; xx++) {
        const sx = xx - dx;
        if (sx >= 0 && sx < side) out[base + y * side + xx] = x[base + sy * side + sx]!;
      }
    }
  }
  return out;
}

/** Adam's peak learning rate (twice Keras' default: the warm-up makes it safe). */
export const PEAK_LEARNING_RATE = 4e-3;
/** Share of the steps spent warming up. */
const WARM_UP = 0.1;

/**
 * The learning rate at step `step` of `total`: a linear warm-up to `peak` over the first tenth
 * of the steps (Goyal et al. 2017), then a half cosine down to 0 (Loshchilov & Hutter 2017).
 */
export function teacherLearningRate(peak: number, step: number, total: number): number {
  const warm = Math.max(1, Math.round(WARM_UP * total));
  if (step < warm) return (peak * (step + 1)) / warm;
  return peak * 0.5 * (1 + Math.cos(Math.PI * Math.min(1, (step - warm) / Math.max(1, total - warm))));
}

/** Rows [from, to) of a batch of `size` that worker `rank` of `workers` trains on (near-equal slices). */
export function shard(size: number, rank: number, workers: number): [number, number] {
  const at = (r: number) => Math.floor((size * r) / workers);
  return [at(rank), at(rank + 1)];
}

/** What each worker thread of teacher-worker.ts is given. */
export interface TeacherJob {
  rank: number;
  workers: number;
  bytes: Uint8Array;
  filename: string;
  epochs: number;
  batchSize: number;
  seed: number;
  peakLearningRate: number;
  /** SharedArrayBuffer: 2 banks × workers × parameters float32 gradient slots. */
  gradients: SharedArrayBuffer;
  /** SharedArrayBuffer: the barrier's [arrived, generation]. */
  barrier: SharedArrayBuffer;
}

export type TeacherMessage =
  | { type: 'progress'; progress: TrainingProgress }
  | { type: 'done'; zip?: Uint8Array; parameterCount?: number; testAccuracy?: number }
  | { type: 'error'; message: string };

const WORKER = fileURLToPath(new URL('./teacher-worker.ts', import.meta.url));

/**
 * Trains the teacher on the train split of the NPZ `data` (the file the demo uploads): Adam at
 * 2e-3 decayed to 0 along a half cosine, batch 32 unless given (the demo uses 64), every digit
 * shifted by up to two pixels — data-parallel over `workers` threads (default 1), each computing
 * the gradient of its slice of every batch (teacher-worker.ts), so the result does not depend on
 * how many there are beyond float rounding. `npm run demo` (6 epochs, 8,500 digits): 98.53 % on
 * its 1,500 held-out digits in one thread (2026-12-06; the 4-epoch constant-rate teacher before
 * it, 97.53 %).
 */
export async function trainTeacher(
  data: { bytes: Uint8Array; filename: string },
  options: { epochs: number; batchSize?: number; peakLearningRate?: number; seed: number; workers?: number; onProgress?: (p: TrainingProgress) => void; signal?: AbortSignal },
): Promise<TrainedTeacher> {
  options.signal?.throwIfAborted();
  const started = performance.now();
  const workers = Math.max(1, Math.floor(options.workers ?? 1));
  await initEngine(); // this thread only sizes the shared gradient slots
  const probe = teacherCnn(options.seed);
  const parameters = probe.trainableWeights.reduce((n, w) => n + w.shape.reduce((a: number, b) => a * (b ?? 1), 1), 0);
  probe.dispose();
  const gradients = new SharedArrayBuffer(2 * workers * parameters * 4);
  const barrier = new SharedArrayBuffer(8);
  const entry = await bundledEntry(WORKER);
  const threads: Worker[] = [];
  const stopped = new Promise<never>((_, reject) => options.signal?.addEventListener('abort', () => reject(new Error('teacher training stopped')), { once: true }));
  stopped.catch(() => undefined);
  try {
    const results = await Promise.race([stopped, Promise.all(Array.from({ length: workers }, (_, rank) => new Promise<TeacherMessage & { type: 'done' }>((resolve, reject) => {
      const job: TeacherJob = {
        rank, workers, bytes: data.bytes, filename: data.filename, epochs: options.epochs, batchSize: options.batchSize ?? 32, seed: options.seed,
        peakLearningRate: options.peakLearningRate ?? PEAK_LEARNING_RATE, gradients, barrier,
      };
      // Plain node for the bundled worker (no tsx loader), its own copy of the engine.
      const thread = new Worker(entry, { workerData: job, execArgv: [] });
      threads.push(thread);
      thread.on('message', (m: TeacherMessage) => {
        if (m.type === 'progress') options.onProgress?.(m.progress);
        else if (m.type === 'error') reject(new Error(`teacher training (worker ${rank + 1} of ${workers}): ${m.message}`));
        else resolve(m);
      });
      thread.once('error', (err) => reject(new Error(`teacher training (worker ${rank + 1} of ${workers}): ${err.message}`)));
      thread.once('exit', (code) => reject(new Error(`teacher training: worker ${rank + 1} of ${workers} exited (code ${code}) before it finished`)));
    })))]);
    const lead = results[0]!;
    return { zip: lead.zip!, parameterCount: lead.parameterCount!, testAccuracy: lead.testAccuracy!, seconds: (performance.now() - started) / 1000 };
  } finally {
    await Promise.all(threads.map((t) => t.terminate()));
  }
}
