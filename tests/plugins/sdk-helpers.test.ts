// The SDK's runtime helpers (1.1.0) against the real engine: cloneModel, outputsLogits,
// weightRole/findWeight, seededRandom, and fineTune on the host's own ctx.train bindings.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import {
  cloneModel, findWeight, fineTune, outputsLogits, seededRandom, weightRole, type PluginContext,
} from '@condense/plugin-sdk';
import { initEngine, tf } from '../../services/engine/backend/index.ts';
import { datasetFromArrays, type IndexedDataset } from '../../services/engine/data/index.ts';
import { createTrainingHelpers } from '../../services/plugins/worker/training.ts';

/** Three noisy, learnable clusters in 4 dimensions. */
function clusters(n: number): IndexedDataset {
  const random = seededRandom(11);
  const centers = [[1, 0, 0, 1], [0, 1, 1, 0], [-1, -1, 0, 0]];
  const x = new Float32Array(n * 4);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = i % 3;
    for (let d = 0; d < 4; d++) x[i * 4 + d] = centers[y[i]][d] + (random() - 0.5);
  }
  return datasetFromArrays(x, y, [4], { seed: 2 });
}

function mlp(activation: 'softmax' | 'linear' = 'softmax'): tf.LayersModel {
  return tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [4], units: 8, activation: 'relu', name: 'hidden', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }),
      tf.layers.dense({ units: 3, activation, name: 'out', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
    ],
  });
}

describe('SDK helpers', () => {
  let data: IndexedDataset;
  let ctx: Pick<PluginContext, 'tf' | 'train'>;

  before(async () => {
    await initEngine('wasm');
    data = clusters(300);
    ctx = { tf, train: createTrainingHelpers({ data, signal: new AbortController().signal, progress: () => undefined }) };
  });

  test('cloneModel makes an independent copy with the same function', async () => {
    const model = mlp();
    const copy = await cloneModel(tf, model);
    const probe = tf.randomNormal([5, 4], 0, 1, 'float32', 3);
    assert.deepEqual(Array.from((copy.predict(probe) as tf.Tensor).dataSync()), Array.from((model.predict(probe) as tf.Tensor).dataSync()));
    copy.getLayer('out').setWeights(copy.getLayer('out').getWeights().map((w) => tf.zerosLike(w)));
    assert.ok(tf.any(tf.notEqual(model.getLayer('out').getWeights()[0], 0)).dataSync()[0], 'original untouched');
    assert.notEqual(copy.weights[0].read(), model.weights[0].read());
    model.dispose();
    copy.dispose();
  });

  test('outputsLogits: false after a softmax activation or Softmax layer, true otherwise', () => {
    assert.equal(outputsLogits(mlp('softmax')), false);
    assert.equal(outputsLogits(mlp('linear')), true);
    const softmaxLayer = tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: 3 }), tf.layers.softmax()] });
    assert.equal(outputsLogits(softmaxLayer), false);
  });

  test('weightRole and findWeight ignore the unique suffixes tfjs adds', () => {
    mlp(); // a first model, so the next one's weight names carry suffixes
    const model = tf.sequential({
      layers: [tf.layers.separableConv2d({ inputShape: [6, 6, 2], filters: 3, kernelSize: 3 }), tf.layers.flatten(), tf.layers.dense({ units: 2 })],
    });
    const [separable, , dense] = model.layers;
    assert.deepEqual(separable.weights.map(weightRole), ['depthwise_kernel', 'pointwise_kernel', 'bias']);
    assert.deepEqual(dense.weights.map(weightRole), ['kernel', 'bias']);
    assert.equal(findWeight(dense, 'kernel'), dense.weights[0]);
    assert.equal(findWeight(dense, 'gamma'), undefined);
  });

  test('seededRandom repeats per seed and stays in [0, 1)', () => {
    const a = Array.from({ length: 1000 }, seededRandom(5));
    assert.deepEqual(Array.from({ length: 1000 }, seededRandom(5)), a);
    assert.notDeepEqual(Array.from({ length: 1000 }, seededRandom(6)), a);
    assert.ok(a.every((v) => v >= 0 && v < 1));
    assert.ok(Math.abs(a.reduce((s, v) => s + v, 0) / a.length - 0.5) < 0.05);
  });

  test('fineTune trains with the host loss, averages hook metrics and leaves no tensors behind', async () => {
    const model = mlp();
    const before = await ctx.train.evaluate(model);
    const tensorsBefore = tf.memory().numTensors;
    let steps = 0;
    const result = await fineTune(ctx, model, {
      epochs: 3, batchSize: 32, learningRate: 0.02, seed: 1,
      // Stray tensors in hooks are freed by the step's tidy.
      beforeStep: () => void tf.ones([64, 64]),
      afterStep: () => {
        steps += 1;
        tf.zeros([8]);
        return { hookCalls: 1 };
      },
    });
    assert.equal(tf.memory().numTensors, tensorsBefore, 'no tensors leaked by the loop, the hooks or the optimizer');
    assert.equal(result.epochsCompleted, 3);
    assert.equal(steps, 3 * Math.ceil(data.info.splits.train / 32));
    assert.equal(result.history[2].metrics.hookCalls, 1);
    assert.ok(result.history[2].metrics.loss < result.history[0].metrics.loss, 'loss falls');
    const after = await ctx.train.evaluate(model);
    assert.ok(after.accuracy > Math.max(before.accuracy, 0.8), `accuracy ${before.accuracy} → ${after.accuracy}`);
    model.dispose();
  });

  test('fineTune: mapGradients routes updates to other variables; samplesPerEpoch limits the epoch', async () => {
    const model = mlp();
    const kernel = findWeight(model.getLayer('hidden'), 'kernel')!;
    const frozen = kernel.read().dataSync().slice();
    const shadow = tf.variable(tf.zeros(kernel.shape as number[]), true, 'test_shadow');
    let steps = 0;
    await fineTune(ctx, model, {
      epochs: 1, batchSize: 10, samplesPerEpoch: 50,
      mapGradients: (grads) => Object.fromEntries(Object.entries(grads).map(([name, g]) => [name === kernel.name ? shadow.name : name, g])),
      afterStep: () => void (steps += 1),
    });
    assert.equal(steps, 5);
    assert.deepEqual(kernel.read().dataSync(), frozen, 'the routed kernel is not updated');
    assert.ok(tf.any(tf.notEqual(shadow, 0)).dataSync()[0], 'its gradient moved the shadow');
    shadow.dispose();
    model.dispose();
  });

  test('fineTune with 0 epochs changes nothing', async () => {
    const model = mlp();
    const weights = model.getWeights().map((w) => w.dataSync().slice());
    const result = await fineTune(ctx, model, { epochs: 0, batchSize: 32 });
    assert.equal(result.epochsCompleted, 0);
    assert.deepEqual(model.getWeights().map((w) => w.dataSync()), weights);
    model.dispose();
  });
});
