// The CIFAR-10 subset and MLPerf Tiny's ResNet-8 teacher, shared by bench:cifar and
// bench:students: where the data is, the model, how the bench trains it (the distillation
// plugin's seeded augmentation, cosine-decayed Adam) and the on-disk teacher cache keyed by
// what the teacher depends on (dataset bytes, epochs, the builder's source).
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fineTune, type PluginContext } from '@condense/plugin-sdk';
import { augmentImages, batchRandom } from '@condense/plugin-distillation';
import { tf } from '../../services/engine/backend/index.ts';
import { openDataset, type Dataset } from '../../services/engine/data/index.ts';
import { exportTfjsLayersZip } from '../../services/engine/export/export-tfjs.ts';
import { evaluateSplit } from '../../services/engine/train/index.ts';
import { createTrainingHelpers } from '../../services/plugins/worker/training.ts';

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

/** Trains `model` on the dataset's train split with seeded crops (and flips), cosine-decayed Adam. */
export async function trainTeacher(model: tf.LayersModel, data: Dataset, epochs: number, flip: boolean, log: (line: string) => void): Promise<void> {
  const signal = new AbortController().signal;
  const pd = data as unknown as PluginContext['data'];
  const train = createTrainingHelpers({ data: pd, signal, progress: () => undefined });
  const shape = data.info.inputShape;
  const base = 0.002;
  const optimizer = tf.train.adam(base);
  let lastReport = performance.now();
  try {
    await fineTune({ tf, train }, model, {
      epochs, batchSize: 64, seed: 1, optimizer,
      onProgress: (p) => {
        if (performance.now() - lastReport > 60_000 || p.epochEnd) {
          lastReport = performance.now();
          log(`  teacher epoch ${p.epoch}/${p.epochs} step ${p.step}/${p.stepsPerEpoch} loss ${p.loss.toFixed(3)} ${p.samplesPerSecond.toFixed(0)} samples/s`);
        }
      },
      beforeStep: ({ globalStep, totalSteps }) => {
        (optimizer as unknown as { learningRate: number }).learningRate = 0.5 * base * (1 + Math.cos((Math.PI * globalStep) / totalSteps));
      },
      forward: (xs, step) => {
        const a = augmentImages(step.batch.x!, step.batch.size, shape, { cropPadding: Math.floor(shape[0] / 8), flip, mixup: 0 }, batchRandom(1, step.globalStep));
        return model.apply(tf.tensor(a.x, xs.shape as number[]), { training: true }) as tf.Tensor;
      },
    });
  } finally {
    optimizer.dispose();
  }
}

export interface CachedTeacher {
  /** The teacher as a TF.js layers zip (what a user would upload). */
  zip: Uint8Array;
  file: string;
  /** Seconds spent training now; null when it came from the cache. */
  trainSeconds: number | null;
  /** When the cached file was written (ISO), for a teacher read from the cache. */
  cachedAt: string | null;
}

/** The teacher for `name`, trained now or read from `cacheDir` when this exact one was trained before. */
export async function teacherFor(name: string, upload: Upload, build: () => tf.LayersModel, epochs: number, flip: boolean, cacheDir: string, log: (line: string) => void): Promise<CachedTeacher> {
  const key = createHash('sha256').update(name).update(upload.bytes).update(String(epochs)).update(build.toString()).digest('hex').slice(0, 16);
  const file = join(cacheDir, `${name}-teacher-${key}.zip`);
  if (existsSync(file)) {
    const cachedAt = statSync(file).mtime.toISOString();
    log(`${name}: teacher from cache ${file} (trained and cached ${cachedAt}; delete it to retrain)`);
    return { zip: new Uint8Array(readFileSync(file)), file, trainSeconds: null, cachedAt };
  }
  const data = await openDataset(upload, { seed: 1 });
  try {
    const model = build();
    log(`${name}: training the teacher (${model.countParams()} parameters) for ${epochs} epoch(s) on ${data.info.splits.train} images`);
    const t0 = performance.now();
    await trainTeacher(model, data, epochs, flip, log);
    const trainSeconds = (performance.now() - t0) / 1000;
    const acc = (await evaluateSplit(model, data, { split: 'test', fromLogits: false })).accuracy;
    log(`${name}: teacher trained in ${trainSeconds.toFixed(0)} s, test accuracy ${(acc * 100).toFixed(2)}% (tfjs); cached as ${file}`);
    const zip = await exportTfjsLayersZip(model);
    model.dispose();
    mkdirSync(cacheDir, { recursive: true });
    writeFileSync(file, zip);
    return { zip, file, trainSeconds, cachedAt: null };
  } finally {
    await data.close();
  }
}
