// The planner end to end on tiny data: real plugins through the plugin host, real .tflite
// exports measured in the TFLite runtime, selection with constraints.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { initEngine, tf } from '../../services/engine/backend/index.ts';
import { fit } from '../../services/engine/train/index.ts';
import { createPluginHost, serializeModel, type PluginHost } from '../../services/plugins/index.ts';
import {
  ChainCache, executeChain, runPlanLocally, selectResults, type CandidatePlan, type LocalPlanResult,
} from '../../services/planner/index.ts';
import { clusters } from '../engine/train_helpers.ts';

describe('runPlanLocally (tiny vector task)', () => {
  const data = clusters(900, 12, 3);
  let teacher: tf.LayersModel;
  let host: PluginHost;
  let result: LocalPlanResult;

  before(async () => {
    await initEngine();
    host = await createPluginHost();
    teacher = tf.sequential({
      layers: [
        tf.layers.dense({ inputShape: [12], units: 128, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }),
        tf.layers.dense({ units: 64, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
        tf.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) }),
      ],
    });
    await fit(teacher, data, { epochs: 4, batchSize: 32, validationSplit: null, seed: 1 });
    result = await runPlanLocally({
      model: teacher, dataset: data, targets: ['cpu-int8'], host,
      families: ['quantize', 'prune', 'distill'],
      students: ['large', 'small'],
      budget: { distillEpochs: 3, pruneEpochs: 1, qatEpochs: 1 },
      measure: { latencyRuns: 3, calibrationSamples: 100 },
    });
  });

  it('plans, runs and measures every candidate, sharing the joint distillation call', () => {
    assert.deepEqual(result.plans.map((p) => p.key), [
      'cpu-int8:quantize+int8', 'cpu-int8:quantize+dynamic-int8', 'cpu-int8:prune-50+int8', 'cpu-int8:distill-large+int8', 'cpu-int8:distill-small+int8',
    ]);
    assert.deepEqual(result.measured.filter((m) => m.failure).map((m) => [m.key, m.failure]), []);
    // quantize(1) + prune→quantize(2) + ONE joint distillation + its two quantize calls = 6.
    assert.equal(result.pluginCalls, 6);
    const steps = result.plans.reduce((n, p) => n + p.chain.length, 0);
    assert.ok(result.pluginCalls < steps, 'the students share one distillation call');
  });

  it('measures the exported files against the float32 base model', () => {
    const { baseline } = result;
    assert.ok(baseline.accuracy > 0.9, `teacher accuracy ${baseline.accuracy}`);
    assert.equal(baseline.parameterCount, teacher.countParams());
    const byKey = Object.fromEntries(result.measured.map((m) => [m.key, m]));
    const int8 = byKey['cpu-int8:quantize+int8'];
    assert.ok(int8.bytes! < baseline.bytes / 2.5, `int8 ${int8.bytes} vs float32 ${baseline.bytes}`);
    assert.ok(Math.abs(int8.compressionRatio! - baseline.bytes / int8.bytes!) < 1e-9);
    assert.ok(Math.abs(baseline.accuracy - int8.accuracy!) < 0.05, 'int8 keeps the accuracy');
    for (const m of result.measured) {
      assert.ok(m.accuracy! > 0.6, `${m.key} accuracy ${m.accuracy}`);
      assert.ok(m.estimatedLatencyMs! > 0 && m.speedup! > 0);
      assert.equal(m.fit!.fits, true, `${m.key}: ${JSON.stringify(m.fit)}`);
    }
    const small = byKey['cpu-int8:distill-small+int8'];
    assert.ok(small.parameterCount! < teacher.countParams() / 2, 'the small student is much smaller');
    assert.ok(small.bytes! < int8.bytes!);
    assert.equal(small.pluginMetrics?.params, undefined, "the last step's metrics are the quantization plugin's");
    assert.ok(small.notes!.some((n) => n.startsWith('distillation:')));
  });

  it('selection: everything acceptable without constraints; best effort when nothing fits', () => {
    assert.equal(result.selection.bestEffort, false);
    assert.ok(result.selection.targets[0].pareto.length >= 1);
    const strict = selectResults(result.measured, { maxBytes: 10 }, result.baseline);
    assert.equal(strict.bestEffort, true);
    assert.deepEqual(strict.targets[0].pareto, result.selection.targets[0].pareto, 'the best of what was measured still comes back');
    assert.ok(strict.verdicts.every((v) => v.reasons.some((r) => r.rule === 'max-bytes')));
  });

  it('a chain whose plugin is missing fails with the reason, without throwing', async () => {
    const plan: CandidatePlan = { key: 'x', label: 'x', family: 'quantize', chain: [{ plugin: 'no-such-plugin', kind: 'other', config: {} }], target: 'cpu-int8', quantization: 'int8' };
    const outcome = await executeChain(plan, { host, baseModel: await serializeModel(teacher), data, cache: new ChainCache() });
    assert.equal(outcome.ok, false);
    if (!outcome.ok) {
      assert.equal(outcome.reason, 'refused');
      assert.match(outcome.message, /no-such-plugin/);
    }
  });
});
