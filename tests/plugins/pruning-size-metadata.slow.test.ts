// Pruning to a file size through the real plugin host, as a run does it: ctx.export.evaluate
// measures files with the metadata the run writes (stepMetadata), so the candidate's final file —
// exported as exportCandidate exports it, with its own key and chain in the metadata — fits the
// budget: ¼ / ½ of the teacher's own int8 file as the run writes it, or a number of bytes. Before
// the fix the search measured bare files and cpu-int8's ¼ of ResNet-8 came out 156 B over.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { before, describe, test } from 'node:test';
import { initEngine, tf } from '../../services/engine/backend/index.ts';
import { loadMnistNpm } from '../../services/engine/data/index.ts';
import type { IndexedDataset } from '../../services/engine/data/dataset.ts';
import { readTfliteMetadata } from '../../services/engine/export/index.ts';
import { exportForTarget, ioTypeFor } from '../../services/planner/export.ts';
import { getTarget } from '../../services/targets/index.ts';
import { candidateMetadata, outputKindOf, stepMetadata } from '../../services/activities/model-metadata.ts';
import { deserializeModel, type PluginHost } from '../../services/plugins/index.ts';
import { wasmPluginHost } from '../helpers/plugin-fixtures.ts';

const TARGETS = ['cpu-int8', 'mcu-int8'];

describe('pruning to a size counts the metadata the run writes', () => {
  let data: IndexedDataset;
  let host: PluginHost;
  let model: tf.LayersModel;
  const run = {
    id: randomUUID(),
    model: { versionId: randomUUID(), name: 'a-public-keras-mnist-cnn-with-a-long-name', version: 12, filename: 'cnn.h5', format: 'keras-h5', blobSha256: '0'.repeat(64), bytes: 1, parameterCount: 1 },
  };

  before(async () => {
    await initEngine('wasm');
    data = await loadMnistNpm({ maxSamples: 600, seed: 5 });
    // Sizes depend on the channels kept, not on the weights: an untrained net will do. ~60 KB in
    // int8, so that ¼ of it is reachable beside ~1 KB of metadata.
    const seeded = (seed: number) => tf.initializers.glorotUniform({ seed });
    model = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 16, kernelSize: 3, activation: 'relu', kernelInitializer: seeded(1) }),
        tf.layers.maxPooling2d({ poolSize: 2 }),
        tf.layers.conv2d({ filters: 32, kernelSize: 3, activation: 'relu', kernelInitializer: seeded(2) }),
        tf.layers.maxPooling2d({ poolSize: 2 }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 64, activation: 'relu', kernelInitializer: seeded(3) }),
        tf.layers.dense({ units: 10, activation: 'softmax', kernelInitializer: seeded(4) }),
      ],
    });
    host = await wasmPluginHost();
  });

  /** The file exportCandidate writes for `candidate` (its metadata, I/O type and sparse encoding). */
  async function runFile(m: tf.LayersModel, target: string, name: string, plugins: string[]): Promise<Uint8Array> {
    const candidate = { key: `${target}:${name}+int8`, chain: plugins.map((plugin) => ({ plugin, config: {} })), target, quantization: 'int8' as const };
    const metadata = candidateMetadata(run, data.info, candidate, 'int8', outputKindOf(m));
    return (await exportForTarget(m, 'int8', ioTypeFor(target, 'int8'), data, { metadata, sparseWeights: getTarget(target).sparseWeights })).bytes;
  }

  test('targetSize and targetBytes: the candidate\'s final file fits, metadata and labels included', async () => {
    const own = new Map<string, number>();
    for (const target of TARGETS) own.set(target, (await runFile(model, target, 'quantize', ['quantization'])).length);
    const budget = Math.round(0.3 * Math.min(...own.values()));
    const exportMetadata = stepMetadata(run, data.info, TARGETS, host.list().map((p) => p.manifest.name));
    const result = await host.invoke('pruning', {
      model, data, targets: TARGETS, exportMetadata,
      config: { mode: 'structured', targetSize: [0.5, 0.25], targetBytes: budget, epochs: 0, recalibrationBatches: 0 },
    });
    assert.deepEqual(result.failures, []);
    assert.deepEqual(result.candidates.map((c) => c.name), ['pruned-structured-size-50', 'pruned-structured-size-25', `pruned-structured-bytes-${budget}`]);
    for (const c of result.candidates) {
      const m = c.metrics!;
      // The host's files carried the run's metadata (the labels alone are a zip of ~200 B).
      assert.ok(m.sizeMetadataBytes > 200, `metadata ${m.sizeMetadataBytes} B`);
      assert.ok(m.sizeBytes <= m.sizeLimitBytes, `${c.name}: ${m.sizeBytes} B over the ${m.sizeLimitBytes} B limit`);
      const pruned = await deserializeModel(c.model);
      for (const target of TARGETS) {
        const file = await runFile(pruned, target, `${c.name.replace('pruned-structured-', 'prune-')}-distill`, ['pruning', 'distillation', 'quantization']);
        assert.equal(readTfliteMetadata(file)?.version, `v12+${target}:${c.name.replace('pruned-structured-', 'prune-')}-distill+int8`);
        const limit = m.targetBytes ?? m.targetSize! * own.get(target)!;
        assert.ok(file.length <= limit, `${c.name} on ${target}: ${file.length} B, limit ${limit} B (the teacher's file ${own.get(target)} B)`);
        // Measured with room to spare only for the candidate's own strings: the search is not just slack.
        assert.ok(file.length <= m.sizeBytes, `${target}: the final file (${file.length} B) is larger than the host measured (${m.sizeBytes} B)`);
      }
      pruned.dispose();
    }
  });

  test('outside a run (no metadata) ctx.export.evaluate measures the model alone', async () => {
    const result = await host.invoke('pruning', { model, data, config: { mode: 'structured', targetSize: 0.5, epochs: 0, recalibrationBatches: 0 } });
    assert.deepEqual(result.failures, []);
    assert.equal(result.candidates[0]!.metrics!.sizeMetadataBytes, 0);
  });
});
