// Custom layers: a built-in plugin's own layer class travels through plugin processes, loads in
// the host and exports to TFLite through the converter the plugin registered. A third-party
// plugin may not declare custom layers (their code would have to run in the server).
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { initEngine, tf } from '../../services/engine/backend/index.ts';
import { datasetFromArrays } from '../../services/engine/data/index.ts';
import { countMacs } from '../../services/engine/evaluate/index.ts';
import { exportTflite } from '../../services/engine/export/index.ts';
import { loadTfliteModel } from '../../services/engine/runtime/index.ts';
import { createPluginHost, deserializeModel, serializeModel, type PluginHost } from '../../services/plugins/index.ts';
import { checkTargetFit } from '../../services/targets/index.ts';

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/plugins');
// A repository root whose plugins/ holds the custom-layer fixture as a built-in plugin.
const BUILTIN_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/builtin-root');
let host: PluginHost;
const data = datasetFromArrays(new Float32Array(40 * 4).map((_, i) => Math.cos(i)), new Int32Array(40).map((_, i) => i % 2), [4]);

before(async () => {
  await initEngine('cpu');
  host = await createPluginHost({
    rootDir: BUILTIN_ROOT, backend: 'cpu',
    pluginList: [path.join(FIXTURES, 'garbage.ts'), path.join(BUILTIN_ROOT, 'plugins/custom-layer')].join(','),
  });
});

after(async () => host?.close());

describe('plugins with custom layers', () => {
  it('load with their registerLayers hook noted when built in, and are refused as third-party plugins', () => {
    assert.deepEqual(host.errors.map((e) => e.message), [
      'plugin "fixture-custom-layer": manifest.customLayers is available to built-in plugins only: loading custom layers would run plugin code in the server',
    ]);
    assert.equal(host.get('fixture-custom-layer').origin, 'builtin');
    assert.equal(host.get('fixture-custom-layer').hasRegisterLayers, true);
    assert.deepEqual(host.get('fixture-custom-layer').manifest.customLayers, ['FixtureScale']);
  });

  it('produce candidates the host loads, exports to TFLite and hands to other plugins', async () => {
    const base = tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: 2, activation: 'linear' })] });
    const r = await host.invoke('fixture-custom-layer', { model: base, data, config: { scale: 3 } });
    assert.deepEqual(r.failures, []);
    const [candidate] = r.candidates;
    assert.ok(JSON.stringify(candidate.model.modelTopology).includes('"FixtureScale"'));

    // Before registration the host process cannot read the model; afterwards it can.
    await assert.rejects(deserializeModel(candidate.model), /FixtureScale/);
    await host.registerCustomLayers(tf);
    const scaled = await deserializeModel(candidate.model);
    const probe = tf.tensor2d([[1, 2, 3, 4], [0.5, -1, 0, 2]]);
    const expected = (base.predict(probe) as tf.Tensor).mul(3);
    const actual = scaled.predict(probe) as tf.Tensor;
    assert.ok(actual.sub(expected).abs().max().dataSync()[0] < 1e-5);

    // The plugin's TFLite converter expresses the layer (as a MUL the exporter may fold into the
    // dense weights); the TFLite runtime computes the scaled output.
    const exported = await exportTflite(scaled, { quantization: 'float32' });
    const tflite = await loadTfliteModel(exported.bytes);
    try {
      const out = tflite.predict(new Float32Array([1, 2, 3, 4]), [1, 4]);
      const want = (expected.slice([0, 0], [1, 2]) as tf.Tensor).dataSync();
      assert.ok(Math.abs(out[0] - want[0]) < 1e-4 && Math.abs(out[1] - want[1]) < 1e-4, `${out} vs ${want}`);
    } finally {
      tflite.dispose();
    }
    const fit = checkTargetFit('cpu-fp32', {
      bytes: exported.bytes.length, ops: exported.ops, tensorTypes: exported.tensorTypes,
      peakActivationBytes: exported.peakActivationBytes, macs: countMacs(scaled).total, weightBytes: 4 * (4 * 2 + 2 + 1),
    });
    assert.deepEqual(fit.failures, []);

    // Another plugin's process reads the model too (it registers every plugin's layers first).
    const chained = await host.invoke('fixture-garbage', { model: await serializeModel(scaled), data, config: { mode: 'mixed' } });
    assert.deepEqual(chained.candidates.map((c) => c.name), ['fine']);
    assert.ok(JSON.stringify(chained.candidates[0].model.modelTopology).includes('"FixtureScale"'));
    tf.dispose([probe, expected, actual]);
  });
});
