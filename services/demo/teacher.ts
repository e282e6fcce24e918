// The teacher the demo compresses: a small CNN trained here, on the train split of the same NPZ
// the demo uploads, in worker threads (teacher-worker.ts), then saved as a TF.js layers zip
// (model.json + weights.bin).
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { TrainingProgress } from '../engine/train/types.ts';
import { bundledEntry } from '../isolation/bundle.ts';

/** Adam's peak learning rate (teacher-model.ts' schedule warms up to it). */
export const PEAK_LEARNING_RATE = 4e-3;
/** How `npm run demo` trains it (bench/demo-teacher.ts measures the same). */
export const DEMO_TEACHER_EPOCHS = 5;
export const DEMO_TEACHER_BATCH = 64;

export interface TrainedTeacher {
  zip: Uint8Array;
  parameterCount: number;
  testAccuracy: number;
  seconds: number;
}

/** What each worker thread of teacher-worker.ts is given. */
export interface TeacherJob {
  rank: number;
  workers: number;
  epochs: number;
  batchSize: number;
  seed: number;
  peakLearningRate: number;
}

/** Sent to every worker once all have built the model and said how many parameters it has. */
export interface TeacherStart {
  type: 'start';
  /** The NPZ to train on (sent with the start: the threads boot while it is being made). */
  bytes: Uint8Array;
  filename: string;
  /** SharedArrayBuffer: workers × parameters float32 gradient slots. */
  gradients: SharedArrayBuffer;
  /** SharedArrayBuffer: the parameters (float32), each worker writing its own share after Adam. */
  weights: SharedArrayBuffer;
  /** SharedArrayBuffer: the barrier's [arrived, generation]. */
  barrier: SharedArrayBuffer;
}

export type TeacherMessage =
  | { type: 'ready'; parameters: number }
  | { type: 'progress'; progress: TrainingProgress }
  | { type: 'done'; zip?: Uint8Array; parameterCount?: number; testAccuracy?: number }
  | { type: 'error'; message: string };

/** The NPZ the teacher trains on (its train split; its test split scores it). */
export interface TeacherData { bytes: Uint8Array; filename: string }

const WORKER = fileURLToPath(new URL('./teacher-worker.ts', import.meta.url));

/**
 * Trains the teacher (teacher-model.ts) on the train split of the NPZ `data` (the file the demo
 * uploads): Adam warmed up to 4e-3 then cosine-decayed to 0, label smoothing 0.1, batch 32 unless
 * given (the demo uses 64), every digit shifted by up to two pixels — data-parallel over
 * `workers` threads (default 1), each computing the gradient of its slice of every batch and the
 * Adam step of its share of the parameters (teacher-worker.ts), so the result does not depend on
 * how many there are beyond float rounding. This thread loads no tfjs: the threads build the
 * model, report its size, and get shared memory sized for it. `npx tsx bench/demo-teacher.ts`
 * (5 epochs, two threads, 2026-12-07 02:31, load 6): 98.47 % on the demo's 1,500 held-out digits
 * with its seed 7; seeds 1, 2, 3: 98.33, 98.80, 98.53 %; about 21 s of CPU each.
 */
export async function trainTeacher(
  data: TeacherData | Promise<TeacherData>,
  options: { epochs: number; batchSize?: number; peakLearningRate?: number; seed: number; workers?: number; onProgress?: (p: TrainingProgress) => void; signal?: AbortSignal },
): Promise<TrainedTeacher> {
  const digits = Promise.resolve(data);
  digits.catch(() => undefined); // a failure reaches the caller when the threads ask for the data
  options.signal?.throwIfAborted();
  const started = performance.now();
  const workers = Math.max(1, Math.floor(options.workers ?? 1));
  const entry = await bundledEntry(WORKER);
  const threads: Worker[] = [];
  const sizes: number[] = [];
  const stopped = new Promise<never>((_, reject) => options.signal?.addEventListener('abort', () => reject(new Error('teacher training stopped')), { once: true }));
  stopped.catch(() => undefined);
  // Once every thread has built the model and the data is there: the data, and one gradient
  // buffer, weight vector and barrier for all.
  const ready = async (rank: number, parameters: number): Promise<void> => {
    sizes[rank] = parameters;
    if (sizes.filter((n) => n !== undefined).length < workers) return;
    if (new Set(sizes).size !== 1) throw new Error(`teacher training: the threads built models of ${[...new Set(sizes)].join(' and ')} parameters`);
    const { bytes, filename } = await digits;
    const start: TeacherStart = {
      type: 'start', bytes, filename,
      gradients: new SharedArrayBuffer(workers * parameters * 4), weights: new SharedArrayBuffer(parameters * 4), barrier: new SharedArrayBuffer(8),
    };
    for (const t of threads) t.postMessage(start);
  };
  try {
    const results = await Promise.race([stopped, Promise.all(Array.from({ length: workers }, (_, rank) => new Promise<TeacherMessage & { type: 'done' }>((resolve, reject) => {
      const job: TeacherJob = {
        rank, workers, epochs: options.epochs, batchSize: options.batchSize ?? 32, seed: options.seed,
        peakLearningRate: options.peakLearningRate ?? PEAK_LEARNING_RATE,
      };
      // Plain node for the bundled worker (no tsx loader), its own copy of the engine.
      const thread = new Worker(entry, { workerData: job, execArgv: [] });
      threads.push(thread);
      const fail = (message: string) => reject(new Error(`teacher training (worker ${rank + 1} of ${workers}): ${message}`));
      thread.on('message', (m: TeacherMessage) => {
        if (m.type === 'progress') options.onProgress?.(m.progress);
        else if (m.type === 'ready') ready(rank, m.parameters).catch(reject);
        else if (m.type === 'error') fail(m.message);
        else resolve(m);
      });
      thread.once('error', (err) => fail(err.message));
      thread.once('exit', (code) => reject(new Error(`teacher training: worker ${rank + 1} of ${workers} exited (code ${code}) before it finished`)));
    })))]);
    const lead = results[0]!;
    return { zip: lead.zip!, parameterCount: lead.parameterCount!, testAccuracy: lead.testAccuracy!, seconds: (performance.now() - started) / 1000 };
  } finally {
    await Promise.all(threads.map((t) => t.terminate()));
  }
}
