// Layers beyond tfjs's own in candidates: only host-provided ones (the SDK's HOST_LAYERS, e.g.
// LshProjection), which the engine registers and converts itself, so candidates holding them load,
// evaluate and export in the host without any plugin code. A plugin that declares a layer of its
// own is refused at load; a candidate that holds one anyway is refused by the run's invoker.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { HOST_LAYERS, lshProjectBatch } from '@condense/plugin-sdk';
import { pluginInvoker } from '../../services/activities/plugin-invoker.ts';
import { initEngine, tf } from '../../services/engine/backend/index.ts';
import { datasetFromArrays } from '../../services/engine/data/index.ts';
import { exportTflite } from '../../services/engine/export/index.ts';
import { loadTfliteModel } from '../../services/engine/runtime/index.ts';
import { createPluginHost, deserializeModel, serializeModel, type PluginHost } from '../../services/plugins/index.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const FIXTURES = path.resolve(HERE, '../fixtures/plugins');
// A repository root whose plugins/ holds the canary and broken-scale fixtures as built-in plugins.
const BUILTIN_ROOT = path.resolve(HERE, '../fixtures/builtin-root');
const MARK_FILE = '/tmp/condense-canary-imports.log';
let host: PluginHost;
const x = new Float32Array(80 * 4).map((_, i) => Math.cos(i * 0.7));
const data = datasetFromArrays(x, new Int32Array(80).map((_, i) => i % 2), [4]);

function marksOfThisProcess(): string[] {
  if (!existsSync(MARK_FILE)) return [];
  return readFileSync(MARK_FILE, 'utf8').split('\n').filter((line) => line.startsWith(`${process.pid} `));
}

before(async () => {
  await initEngine('cpu');
  host = await createPluginHost({
    rootDir: BUILTIN_ROOT, backend: 'cpu',
    pluginList: [path.join(FIXTURES, 'garbage.ts'), path.join(FIXTURES, 'own-layer.ts')].join(','),
  });
});

after(async () => host?.close());

describe('layers in candidates', () => {
  it('host-provided layers may be declared; a layer of the plugin\'s own refuses it', () => {
    assert.deepEqual(HOST_LAYERS, ['LshProjection']);
    assert.deepEqual(host.errors.map((e) => e.message), [
      'plugin "fixture-own-layer": manifest.customLayers[1] "FixtureScale" is not a layer the host provides (LshProjection): plugin code never runs in the server, so candidates may contain only host-provided layers',
    ]);
    const canary = host.get('fixture-canary');
    assert.equal(canary.origin, 'builtin');
    assert.deepEqual(canary.manifest.customLayers, ['LshProjection']);
    assert.equal(canary.hasRegisterLayers, true);
    assert.deepEqual(host.list().map((p) => p.manifest.name), ['fixture-broken-scale', 'fixture-canary', 'fixture-garbage']);
  });

  it('a host-provided layer loads, runs and exports in the host with the engine\'s own class and converter', async () => {
    const base = tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: 2 })] });
    const r = await host.invoke('fixture-canary', { model: base, data, config: { numHash: 6, numBits: 4, epochs: 1 } });
    assert.deepEqual(r.failures, []);
    const [candidate] = r.candidates;
    assert.ok(JSON.stringify(candidate.model.modelTopology).includes('"LshProjection"'));
    assert.deepEqual(marksOfThisProcess(), [], 'the canary\'s code did not run here');

    // No registration step: the engine's class reads the model.
    const model = await deserializeModel(candidate.model);
    const lsh = model.getLayer('lsh');
    assert.equal(lsh.getClassName(), 'LshProjection');
    const probe = tf.tensor2d(x.slice(0, 8), [2, 4]);
    const bits = tf.model({ inputs: model.inputs, outputs: lsh.output as tf.SymbolicTensor }).predict(probe) as tf.Tensor;
    assert.deepEqual(Array.from(bits.dataSync()), Array.from(lshProjectBatch(x.slice(0, 8), 2, 4, { numHash: 6, numBits: 4, inputMode: 'vector' })));
    const expected = (model.predict(probe) as tf.Tensor).dataSync();

    // The exporter's own converter (LSH_PROJECTION); the TFLite runtime agrees with tfjs.
    const exported = await exportTflite(model, { quantization: 'float32' });
    assert.ok(exported.ops.includes('LSH_PROJECTION'), `${exported.ops}`);
    const tflite = await loadTfliteModel(exported.bytes);
    try {
      const out = tflite.predict(x.slice(0, 4), [1, 4]);
      assert.ok(Math.abs(out[0] - expected[0]) < 1e-4 && Math.abs(out[1] - expected[1]) < 1e-4, `${out} vs ${expected}`);
    } finally {
      tflite.dispose();
    }

    // Another plugin's process reads it too (the engine registers the layer there as well).
    const chained = await host.invoke('fixture-garbage', { model: await serializeModel(model), data, config: { mode: 'mixed' } });
    assert.deepEqual(chained.candidates.map((c) => c.name), ['fine']);
    assert.ok(JSON.stringify(chained.candidates[0].model.modelTopology).includes('"LshProjection"'));
    tf.dispose([probe, bits]);
  });

  it('a candidate holding a layer of the plugin\'s own is refused by the run\'s invoker, not loaded with plugin code', async () => {
    const invoker = await pluginInvoker(host);
    const base = tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: 2, activation: 'softmax' })] });
    const outcome = await invoker.invoke({
      plugin: 'fixture-broken-scale', config: {}, model: base, data, targets: [], signal: new AbortController().signal, onProgress: () => undefined,
    });
    assert.equal(outcome.ok, false);
    assert.ok(!outcome.ok);
    assert.equal(outcome.failure.reason, 'invalid-output');
    assert.match(outcome.failure.message, /^candidate "scaled" cannot be loaded by the host: .*FixtureChannelScale.*host-provided LshProjection/);
  });
});

// Sanity of the mark: the canary does leave one when imported into an unsandboxed process.
describe('the canary', () => {
  it('marks a process that imports it', async () => {
    await import(path.join(BUILTIN_ROOT, 'plugins/canary/index.ts'));
    assert.deepEqual(marksOfThisProcess(), [`${process.pid} module top level`]);
    rmSync(MARK_FILE, { force: true });
  });
});
