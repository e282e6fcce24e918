// The third-party-style clustering plugin, installed the way an operator would install one:
// CONDENSE_PLUGINS=<path>, loaded and run by the real host in a worker thread.
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { before, describe, test } from 'node:test';
import { tf } from '../../services/engine/backend/index.ts';
import type { IndexedDataset } from '../../services/engine/data/dataset.ts';
import { evaluateModel } from '../../services/engine/evaluate/index.ts';
import { deserializeModel, type PluginHost } from '../../services/plugins/index.ts';
import { kmeans1d } from '../../plugins/clustering/src/kmeans.ts';
import { trainedMnistCnn, wasmPluginHost } from '../helpers/plugin-fixtures.ts';

const PLUGIN_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../plugins/clustering');
const KERNEL_LAYERS = new Set(['Dense', 'Conv2D']);

describe('clustering plugin (CONDENSE_PLUGINS)', () => {
  let data: IndexedDataset;
  let host: PluginHost;
  let trained: tf.LayersModel;
  let baseline: number;

  before(async () => {
    ({ data, trained, baseline } = await trainedMnistCnn({ maxSamples: 2000, seed: 5 }));
    process.env.CONDENSE_PLUGINS = PLUGIN_DIR;
    host = await wasmPluginHost({ builtins: false });
  });

  test('is loaded from the path in CONDENSE_PLUGINS', () => {
    const plugin = host.list().find((p) => p.manifest.name === 'clustering');
    assert.ok(plugin, 'clustering plugin not loaded');
    assert.equal(plugin.origin, 'env');
    assert.equal(plugin.manifest.kind, 'clustering');
  });

  test('every clustered kernel holds at most k distinct values, and compresses better', async () => {
    const result = await host.invoke('clustering', {
      model: trained, data, config: { clusters: [4, 16], fineTune: 'centroids', epochs: 1, samplesPerEpoch: 600 },
    });
    assert.deepEqual(result.failures, []);
    assert.deepEqual(result.candidates.map((c) => c.name), ['clustered-4', 'clustered-16']);
    for (const [i, k] of [4, 16].entries()) {
      const candidate = result.candidates[i];
      const model = await deserializeModel(candidate.model);
      for (const layer of model.layers) {
        if (!KERNEL_LAYERS.has(layer.getClassName())) continue;
        const distinct = new Set(layer.getWeights()[0].dataSync()).size;
        assert.ok(distinct <= k, `${layer.name} has ${distinct} distinct weights for k=${k}`);
      }
      assert.ok(candidate.metrics!.uniqueWeights <= k);
      assert.ok(candidate.metrics!.gzipWeightBytes < 0.5 * candidate.metrics!.gzipWeightBytesBefore, 'gzip shrinks the shared weights');
      const accuracy = (await evaluateModel(model, data, 'test')).accuracy;
      assert.ok(accuracy >= baseline - (k === 4 ? 0.2 : 0.05), `k=${k}: accuracy ${accuracy} vs baseline ${baseline}`);
      model.dispose();
    }
  });

  test('retrain-and-snap and linear init also end with shared weights', async () => {
    const result = await host.invoke('clustering', {
      model: trained, data, config: { clusters: 8, init: 'linear', fineTune: 'retrain-and-snap', epochs: 1, samplesPerEpoch: 300 },
    });
    assert.deepEqual(result.failures, []);
    assert.ok(result.candidates[0].metrics!.uniqueWeights <= 8);
  });
});

describe('1-D k-means', () => {
  test('finds well separated clusters and assigns each value to the nearest centroid', () => {
    const values = Float32Array.from([-1.02, -0.98, -1, 0.01, -0.01, 0, 2.01, 1.99, 2]);
    for (const init of ['kmeans++', 'linear'] as const) {
      const { centroids, assignment } = kmeans1d(values, 3, { init, maxIterations: 20, seed: 1 });
      assert.deepEqual(Array.from(centroids, (c) => Math.round(c * 100) / 100), [-1, 0, 2]);
      assert.deepEqual(Array.from(assignment), [0, 0, 0, 1, 1, 1, 2, 2, 2]);
    }
  });
});
