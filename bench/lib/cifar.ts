// The CIFAR-10 subset and MLPerf Tiny's ResNet-8 teacher, shared by bench:cifar and
// bench:students: where the data is, the model, how the bench trains it (the distillation
// plugin's seeded augmentation, cosine-decayed Adam) and the on-disk teacher cache keyed by
// what the teacher depends on (dataset bytes, epochs, the builder's source).
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fineTune, type PluginContext } from '@condense/plugin-sdk';
import { augmentImages, batchRandom } from '@condense/plugin-distillation';
import { tf } from '../../services/engine/backend/index.ts';
import { openDataset, type Dataset } from '../../services/engine/data/index.ts';
import { exportTfjsLayersZip } from '../../services/engine/export/export-tfjs.ts';
import { importModel } from '../../services/engine/import/index.ts';
import { evaluateSplit } from '../../services/engine/train/index.ts';
import { createTrainingHelpers } from '../../services/plugins/worker/training.ts';
import type { CifarTeacherJob, CifarTeacherReply, CifarTeacherRequest } from './cifar-teacher-worker.ts';

export interface Upload { filename: string; bytes: Uint8Array }

/** ../shared/data/cifar10-subset.npz next to the repository (a worktree one level deeper finds it one level up). */
export function cifarFile(given?: string): string {
  return given ?? ['../../../shared/data/cifar10-subset.npz', '../../../../shared/data/cifar10-subset.npz']
    .map((p) => new URL(p, import.meta.url).pathname).find((p) => existsSync(p)) ?? new URL('../../../shared/data/cifar10-subset.npz', import.meta.url).pathname;
}

export function cifarUpload(file: string): Upload {
  return { filename: 'cifar10-subset.npz', bytes: new Uint8Array(readFileSync(file)) };
}

const he = (seed: number) => tf.initializers.heNormal({ seed });

/** MLPerf Tiny's image-classification ResNet-8 (v0.5 reference, resnet.py): 32×32×3 → 10. */
export function resnet8(): tf.LayersModel {
  let seed = 10;
  const l2 = tf.regularizers.l2({ l2: 1e-4 });
  const conv = (x: tf.SymbolicTensor, filters: number, strides: number, kernelSize = 3) =>
    tf.layers.conv2d({ filters, kernelSize, strides, padding: 'same', kernelInitializer: he(seed++), kernelRegularizer: l2 }).apply(x) as tf.SymbolicTensor;
  const bnRelu = (x: tf.SymbolicTensor) => tf.layers.activation({ activation: 'relu' }).apply(tf.layers.batchNormalization().apply(x)) as tf.SymbolicTensor;
  const input = tf.input({ shape: [32, 32, 3] });
  let x = bnRelu(conv(input, 16, 1));
  for (const [filters, strides] of [[16, 1], [32, 2], [64, 2]] as const) {
    let y = bnRelu(conv(x, filters, strides));
    y = tf.layers.batchNormalization().apply(conv(y, filters, 1)) as tf.SymbolicTensor;
    const shortcut = strides === 1 ? x : conv(x, filters, strides, 1);
    x = tf.layers.activation({ activation: 'relu' }).apply(tf.layers.add().apply([shortcut, y])) as tf.SymbolicTensor;
  }
  x = tf.layers.globalAveragePooling2d({}).apply(x) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: 10, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: seed++ }) }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out, name: 'resnet8' });
}

/** Where a teacher's training stands: epochs done and seconds spent so far (over every process). */
export interface TeacherProgress { epochsDone: number; trainSeconds: number }

/**
 * Trains `model` on the dataset's train split with seeded crops (after `opts.cropPadding` zero
 * padding, default ⅛ of the side) and flips (`opts.seed`, default 1, seeds shuffle and augmentation; `opts.rotation` / `opts.scale` add small
 * random rotations and scalings), Adam with a cosine
 * learning rate over all `epochs`, one epoch at a time from `from.epochsDone`, so training can stop
 * at an epoch's end and continue in another process (the Adam moments start afresh there). After
 * each epoch `onEpoch` gets the progress and the test accuracy; training stops early (returning the
 * progress) once another epoch would end past `maxSeconds` of this call.
 */
export async function trainTeacher(
  model: tf.LayersModel, data: Dataset, epochs: number, flip: boolean, log: (line: string) => void,
  opts: {
    from?: TeacherProgress; maxSeconds?: number; onEpoch?: (p: TeacherProgress, testAcc: number) => Promise<void>; workers?: number; upload?: Upload;
    cropPadding?: number; seed?: number; rotation?: number; scale?: number;
  } = {},
): Promise<TeacherProgress> {
  if ((opts.workers ?? 1) > 1) {
    if (!opts.upload) throw new Error('data-parallel teacher training needs the dataset file (opts.upload)');
    if (opts.cropPadding !== undefined || opts.seed !== undefined || opts.rotation || opts.scale) throw new Error('data-parallel teacher training takes the default augmentation and seed only');
    return trainTeacherParallel(model, data, opts.upload, epochs, flip, log, { ...opts, workers: opts.workers! });
  }
  const signal = new AbortController().signal;
  const pd = data as unknown as PluginContext['data'];
  const train = createTrainingHelpers({ data: pd, signal, progress: () => undefined });
  const shape = data.info.inputShape;
  const base = 0.002;
  const batchSize = 64;
  const stepsPerEpoch = Math.ceil(data.info.splits.train / batchSize);
  const totalSteps = epochs * stepsPerEpoch;
  const optimizer = tf.train.adam(base);
  const progress: TeacherProgress = { ...(opts.from ?? { epochsDone: 0, trainSeconds: 0 }) };
  const t0 = performance.now();
  let lastReport = performance.now();
  try {
    while (progress.epochsDone < epochs) {
      const epoch = progress.epochsDone;
      const e0 = performance.now();
      await fineTune({ tf, train }, model, {
        epochs: 1, batchSize, seed: (opts.seed ?? 1) + epoch * 7919, optimizer,
        onProgress: (p) => {
          if (performance.now() - lastReport > 60_000) {
            lastReport = performance.now();
            log(`  teacher epoch ${epoch + 1}/${epochs} step ${p.step}/${p.stepsPerEpoch} loss ${p.loss.toFixed(3)} ${p.samplesPerSecond.toFixed(0)} samples/s`);
          }
        },
        beforeStep: ({ step }) => {
          (optimizer as unknown as { learningRate: number }).learningRate = 0.5 * base * (1 + Math.cos((Math.PI * (epoch * stepsPerEpoch + step)) / totalSteps));
        },
        forward: (xs, step) => {
          const a = augmentImages(step.batch.x!, step.batch.size, shape, { cropPadding: opts.cropPadding ?? Math.floor(shape[0] / 8), flip, mixup: 0, rotation: opts.rotation ?? 0, scale: opts.scale ?? 0 }, batchRandom(opts.seed ?? 1, epoch * stepsPerEpoch + step.step));
          return model.apply(tf.tensor(a.x, xs.shape as number[]), { training: true }) as tf.Tensor;
        },
      });
      const epochSeconds = (performance.now() - e0) / 1000;
      progress.epochsDone = epoch + 1;
      progress.trainSeconds += epochSeconds;
      const acc = (await evaluateSplit(model, data, { split: 'test', fromLogits: false })).accuracy;
      log(`  teacher epoch ${epoch + 1}/${epochs}: ${epochSeconds.toFixed(0)} s (${(data.info.splits.train / epochSeconds).toFixed(0)} samples/s), test accuracy ${(acc * 100).toFixed(2)}%`);
      await opts.onEpoch?.(progress, acc);
      const spent = (performance.now() - t0) / 1000;
      if (opts.maxSeconds !== undefined && progress.epochsDone < epochs && spent + epochSeconds > opts.maxSeconds) break;
    }
  } finally {
    optimizer.dispose();
  }
  return progress;
}

/**
 * trainTeacher over `workers` threads (cifar-teacher-worker.ts): the same epochs, seeds, crops,
 * flips and cosine-decayed Adam, each batch's gradient computed in slices and summed; the threads
 * start from `model`'s weights, and after each epoch `model` takes rank 0's. tfjs's wasm backend
 * runs one thread per process in Node, so this is how the teacher uses both cores.
 */
async function trainTeacherParallel(
  model: tf.LayersModel, data: Dataset, upload: Upload, epochs: number, flip: boolean, log: (line: string) => void,
  opts: { from?: TeacherProgress; maxSeconds?: number; onEpoch?: (p: TeacherProgress, testAcc: number) => Promise<void>; workers: number },
): Promise<TeacherProgress> {
  const { Worker } = await import('node:worker_threads');
  const { bundledEntry } = await import('../../services/isolation/bundle.ts');
  const entry = await bundledEntry(new URL('./cifar-teacher-worker.ts', import.meta.url).pathname, { external: (spec) => !spec.startsWith('@condense/') });
  const parameters = model.trainableWeights.reduce((n, w) => n + w.shape.reduce((a: number, b) => a * (b ?? 1), 1), 0);
  const gradients = new SharedArrayBuffer(2 * opts.workers * parameters * 4);
  const barrier = new SharedArrayBuffer(8);
  const start = await exportTfjsLayersZip(model);
  const progress: TeacherProgress = { ...(opts.from ?? { epochsDone: 0, trainSeconds: 0 }) };
  const threads: Array<InstanceType<typeof Worker>> = [];
  const t0 = performance.now();
  try {
    const replies = Array.from({ length: opts.workers }, () => [] as Array<(m: CifarTeacherReply) => void>);
    let failure: Error | undefined;
    const waiters: Array<(err: Error) => void> = [];
    const fail = (err: Error) => {
      failure ??= err;
      for (const w of waiters.splice(0)) w(err);
    };
    const next = (rank: number) => new Promise<CifarTeacherReply>((resolve, reject) => {
      if (failure) return reject(failure);
      waiters.push(reject);
      replies[rank]!.push(resolve);
    });
    for (let rank = 0; rank < opts.workers; rank++) {
      const job: CifarTeacherJob = { rank, workers: opts.workers, dataset: upload, model: start, epochs, batchSize: 64, baseLearningRate: 0.002, flip, gradients, barrier };
      const thread = new Worker(entry, { workerData: job, execArgv: [] });
      threads.push(thread);
      thread.on('message', (m: CifarTeacherReply) => (m.type === 'error' ? fail(new Error(`teacher worker ${rank + 1} of ${opts.workers}: ${m.message}`)) : replies[rank]!.shift()?.(m)));
      thread.once('error', (err) => fail(new Error(`teacher worker ${rank + 1} of ${opts.workers}: ${err.message}`)));
    }
    await Promise.all(threads.map((_, rank) => next(rank)));
    log(`  teacher: data-parallel over ${opts.workers} threads`);
    while (progress.epochsDone < epochs) {
      const epoch = progress.epochsDone;
      const e0 = performance.now();
      const done = Promise.all(threads.map((_, rank) => next(rank)));
      for (const t of threads) t.postMessage({ type: 'epoch', epoch } satisfies CifarTeacherRequest);
      const [lead] = await done;
      if (lead?.type !== 'epoch-done' || !lead.zip) throw new Error('teacher worker 1 answered an epoch without the model');
      const trained = (await importModel({ filename: 'teacher.zip', bytes: lead.zip })).model!;
      model.setWeights(trained.getWeights());
      trained.dispose();
      const epochSeconds = (performance.now() - e0) / 1000;
      progress.epochsDone = epoch + 1;
      progress.trainSeconds += epochSeconds;
      const acc = (await evaluateSplit(model, data, { split: 'test', fromLogits: false })).accuracy;
      log(`  teacher epoch ${epoch + 1}/${epochs}: ${epochSeconds.toFixed(0)} s (${(data.info.splits.train / epochSeconds).toFixed(0)} samples/s over ${opts.workers} threads), test accuracy ${(acc * 100).toFixed(2)}%`);
      await opts.onEpoch?.(progress, acc);
      const spent = (performance.now() - t0) / 1000;
      if (opts.maxSeconds !== undefined && progress.epochsDone < epochs && spent + epochSeconds > opts.maxSeconds) break;
    }
  } finally {
    await Promise.all(threads.map((t) => t.terminate()));
  }
  return progress;
}

export interface CachedTeacher {
  /** The teacher as a TF.js layers zip (what a user would upload). */
  zip: Uint8Array;
  file: string;
  /** Seconds spent training now; null when it came from the cache. */
  trainSeconds: number | null;
  /** When the cached file was written (ISO), for a teacher read from the cache. */
  cachedAt: string | null;
  /** Seconds its training took, for a teacher read from the cache (when recorded). */
  cachedTrainSeconds?: number;
}

/**
 * The teacher for `name`, trained now or read from `cacheDir` when this exact one was trained
 * before. With `maxTrainSeconds`, training stops at the first epoch end past that many seconds and
 * leaves `<file>.partial.zip` (+ `.json`: epochs done, seconds spent) that the next call continues
 * from; the result is then `{ partial }` and no teacher — so a long teacher trains in several
 * bench-lock turns. `workers` > 1 trains data-parallel over that many threads.
 */
export async function teacherFor(
  name: string, upload: Upload, build: () => tf.LayersModel, epochs: number, flip: boolean, cacheDir: string, log: (line: string) => void,
  maxTrainSeconds?: number, workers = 1, variant: { cropPadding?: number; seed?: number; rotation?: number; scale?: number; validationFraction?: number } = {},
): Promise<CachedTeacher | { partial: TeacherProgress; file: string }> {
  // Not keyed by `workers`: the same epochs, batches and schedule whatever the thread count (only
  // batch norm's statistics come from slices), so bench:cifar and bench:students share one teacher.
  // variant: the random crops' zero padding when it is not ⅛ of the side, the training seed
  // (shuffle, augmentation) when it is not 1, random rotations (degrees) and scalings — each part
  // of the key when given.
  // validationFraction: of the upload's training images held out (the dataset's default 10 % when not given).
  const { cropPadding, seed, rotation, scale, validationFraction } = variant;
  const hash = createHash('sha256').update(name).update(upload.bytes).update(String(epochs)).update(build.toString());
  if (cropPadding !== undefined) hash.update(`pad${cropPadding}`);
  if (seed !== undefined) hash.update(`seed${seed}`);
  if (rotation !== undefined || scale !== undefined) hash.update(`rot${rotation ?? 0}scale${scale ?? 0}`);
  if (validationFraction !== undefined) hash.update(`val${validationFraction}`);
  const key = hash.digest('hex').slice(0, 16);
  const file = join(cacheDir, `${name}-teacher-${key}.zip`);
  if (existsSync(file)) {
    const cachedAt = statSync(file).mtime.toISOString();
    const meta = existsSync(`${file}.json`) ? JSON.parse(readFileSync(`${file}.json`, 'utf8')) as TeacherProgress : null;
    log(`${name}: teacher from cache ${file} (trained and cached ${cachedAt}${meta ? ` in ${meta.trainSeconds.toFixed(0)} s` : ''}; delete it to retrain)`);
    return { zip: new Uint8Array(readFileSync(file)), file, trainSeconds: null, cachedAt, ...(meta ? { cachedTrainSeconds: meta.trainSeconds } : {}) };
  }
  const partialZip = `${file}.partial.zip`;
  const partialMeta = `${file}.partial.json`;
  const data = await openDataset(upload, { seed: 1, ...(validationFraction !== undefined ? { validationFraction } : {}) });
  let model: tf.LayersModel | undefined;
  try {
    let from: TeacherProgress | undefined;
    if (existsSync(partialZip) && existsSync(partialMeta)) {
      from = JSON.parse(readFileSync(partialMeta, 'utf8')) as TeacherProgress;
      model = (await importModel({ filename: `${name}-teacher.zip`, bytes: new Uint8Array(readFileSync(partialZip)) })).model!;
      log(`${name}: continuing the teacher from ${partialZip} (${from.epochsDone}/${epochs} epochs, ${from.trainSeconds.toFixed(0)} s so far)`);
    } else {
      model = build();
      log(`${name}: training the teacher (${model.countParams()} parameters) for ${epochs} epoch(s) on ${data.info.splits.train} images`);
    }
    mkdirSync(cacheDir, { recursive: true });
    const trained = model;
    const progress = await trainTeacher(trained, data, epochs, flip, log, {
      ...(from ? { from } : {}),
      ...(maxTrainSeconds !== undefined ? { maxSeconds: maxTrainSeconds } : {}),
      ...(cropPadding !== undefined ? { cropPadding } : {}),
      ...(seed !== undefined ? { seed } : {}),
      ...(rotation !== undefined ? { rotation } : {}),
      ...(scale !== undefined ? { scale } : {}),
      ...(workers > 1 ? { workers, upload } : {}),
      onEpoch: async (p) => {
        if (p.epochsDone >= epochs) return;
        writeFileSync(partialZip, await exportTfjsLayersZip(trained));
        writeFileSync(partialMeta, JSON.stringify(p));
      },
    });
    if (progress.epochsDone < epochs) {
      log(`${name}: teacher at ${progress.epochsDone}/${epochs} epochs after ${progress.trainSeconds.toFixed(0)} s, saved as ${partialZip}; run again to continue`);
      return { partial: progress, file: partialZip };
    }
    const acc = (await evaluateSplit(trained, data, { split: 'test', fromLogits: false })).accuracy;
    log(`${name}: teacher trained in ${progress.trainSeconds.toFixed(0)} s, test accuracy ${(acc * 100).toFixed(2)}% (tfjs); cached as ${file}`);
    const zip = await exportTfjsLayersZip(trained);
    writeFileSync(file, zip);
    writeFileSync(`${file}.json`, JSON.stringify(progress));
    rmSync(partialZip, { force: true });
    rmSync(partialMeta, { force: true });
    return { zip, file, trainSeconds: progress.trainSeconds, cachedAt: null };
  } finally {
    model?.dispose();
    await data.close();
  }
}
