// The quantization plugin through the real plugin host (worker thread): its int8 candidate is
// exported and run in TFLite's interpreter, its int8 simulation is checked against that
// interpreter, and quantization-aware fine-tuning runs only when the accuracy budget is exceeded.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { tf } from '../../services/engine/backend/index.ts';
import type { IndexedDataset } from '../../services/engine/data/dataset.ts';
import { evaluateModel, evaluateTflite } from '../../services/engine/evaluate/index.ts';
import { exportTflite } from '../../services/engine/export/export-tflite.ts';
import { deserializeModel, serializeModel, type PluginHost } from '../../services/plugins/index.ts';
import { trainedMnistCnn, wasmPluginHost } from '../helpers/plugin-fixtures.ts';

async function* calibrationSamples(data: IndexedDataset): AsyncIterable<Float32Array> {
  for await (const batch of data.batches('train', 100, { limit: 500 })) yield batch.x!;
}

async function int8Bytes(model: tf.LayersModel, data: IndexedDataset): Promise<Uint8Array> {
  return (await exportTflite(model, { quantization: 'int8', representativeData: calibrationSamples(data) })).bytes;
}

/** Same function, but the most active hidden unit scaled ×100 (and the head compensating):
 * the outlier stretches the int8 range of the whole layer, so post-training int8 loses accuracy. */
function withOutlierUnit(model: tf.LayersModel, probe: tf.Tensor): void {
  const hidden = model.getLayer('hidden');
  const head = model.getLayer('head');
  const activations = tf.model({ inputs: model.inputs, outputs: hidden.output as tf.SymbolicTensor }).predict(probe) as tf.Tensor;
  const busiest = tf.argMax(tf.mean(activations, 0)).dataSync()[0];
  const units = hidden.getWeights()[1].size;
  const scale = tf.tensor1d(Array.from({ length: units }, (_, i) => (i === busiest ? 100 : 1)));
  const [k1, b1] = hidden.getWeights();
  const [k2, b2] = head.getWeights();
  hidden.setWeights([tf.mul(k1, scale), tf.mul(b1, scale)]);
  head.setWeights([tf.div(k2, tf.reshape(scale, [units, 1])), b2]);
}

describe('quantization plugin', () => {
  let data: IndexedDataset;
  let host: PluginHost;
  let trained: tf.LayersModel;

  before(async () => {
    ({ data, trained } = await trainedMnistCnn({
      maxSamples: 2500, seed: 4, cnn: { batchNorm: true, hiddenName: 'hidden', headName: 'head' },
    }));
    host = await wasmPluginHost();
  });

  test('emits int8, float16 and dynamic-range candidates; int8 runs in TFLite within budget of float', async () => {
    const budget = 0.02;
    const result = await host.invoke('quantization', { model: trained, data, config: { accuracyBudget: budget, evaluationSamples: 500 } });
    assert.deepEqual(result.failures, []);
    const byName = new Map(result.candidates.map((c) => [c.name, c]));
    assert.deepEqual([...byName.keys()], ['quantized-int8', 'quantized-float16', 'quantized-dynamic-int8']);
    assert.deepEqual(byName.get('quantized-float16')!.exportHints, { quantization: 'float16' });
    assert.deepEqual(byName.get('quantized-dynamic-int8')!.exportHints, { quantization: 'dynamic-int8' });

    const int8 = byName.get('quantized-int8')!;
    assert.deepEqual(int8.exportHints, { quantization: 'int8' }, 'no QAT when post-training int8 is within budget');
    assert.equal(int8.metrics!.qat, 0);
    assert.ok(int8.metrics!.simulatedAccuracyDrop <= budget);
    // The decision is taken on the real exported file (ctx.export.evaluate), measured in TFLite.
    assert.ok(int8.metrics!.exportedAccuracyDrop <= budget, `exported int8 drop ${int8.metrics!.exportedAccuracyDrop}`);
    assert.equal(int8.metrics!.exportedAccuracyDrop, int8.metrics!.floatAccuracy - int8.metrics!.exportedInt8Accuracy);

    const model = await deserializeModel(int8.model);
    const floatAccuracy = (await evaluateModel(model, data, 'test')).accuracy;
    const bytes = await int8Bytes(model, data);
    const tflite = await evaluateTflite(bytes, data, 'test');
    assert.ok(floatAccuracy - tflite.accuracy <= budget, `TFLite int8 ${tflite.accuracy} vs float ${floatAccuracy}`);

    // The plugin's simulation predicts what the interpreter measures on the same samples.
    const onValidation = await evaluateTflite(bytes, data, 'validation', { limit: 500 });
    assert.ok(Math.abs(onValidation.accuracy - int8.metrics!.simulatedInt8Accuracy) <= 0.01,
      `simulated ${int8.metrics!.simulatedInt8Accuracy} vs TFLite ${onValidation.accuracy}`);
    // ctx.export.evaluate measured the same kind of file (calibrated on other training samples).
    assert.ok(Math.abs(onValidation.accuracy - int8.metrics!.exportedInt8Accuracy) <= 0.01,
      `ctx.export.evaluate ${int8.metrics!.exportedInt8Accuracy} vs TFLite ${onValidation.accuracy}`);
    model.dispose();
  });

  test('fine-tunes quantization-aware when the exported int8 file loses more than the budget', async () => {
    const fragile = await deserializeModel(await serializeModel(trained));
    const probe = (await data.batches('train', 200, { limit: 200 })[Symbol.asyncIterator]().next()).value!;
    withOutlierUnit(fragile, tf.tensor(probe.x!, [probe.size, 28, 28, 1]));
    const result = await host.invoke('quantization', {
      model: fragile, data,
      config: { modes: ['int8'], accuracyBudget: 0.01, evaluationSamples: 500, qatEpochs: 1, samplesPerEpoch: 1000 },
    });
    assert.deepEqual(result.failures, []);
    const [int8] = result.candidates;
    assert.equal(int8.exportHints?.quantization, 'int8');
    assert.equal(int8.exportHints?.qat, true);
    // The ranges QAT trained with travel with the candidate (tests/plugins/qat-ranges.slow.test.ts).
    assert.equal(int8.exportHints?.activationRanges?.version, 1);
    assert.ok(int8.exportHints?.activationRanges?.outputs.hidden, 'the hidden layer\'s learned range');
    assert.equal(int8.metrics!.qat, 1);
    assert.ok(int8.metrics!.exportedAccuracyDrop > 0.01, `exported int8 drop ${int8.metrics!.exportedAccuracyDrop}`);
    assert.ok(Number.isFinite(int8.metrics!.qatSimulatedInt8Accuracy));
    assert.ok(int8.metrics!.qatExportedInt8Accuracy > int8.metrics!.exportedInt8Accuracy,
      `exported int8 after QAT ${int8.metrics!.qatExportedInt8Accuracy} vs before ${int8.metrics!.exportedInt8Accuracy}`);

    // The loss the simulation saw is real in the interpreter, and the QAT model does better there.
    const before = await evaluateTflite(await int8Bytes(fragile, data), data, 'validation', { limit: 500 });
    assert.ok(Math.abs(before.accuracy - int8.metrics!.simulatedInt8Accuracy) <= 0.02,
      `simulated ${int8.metrics!.simulatedInt8Accuracy} vs TFLite ${before.accuracy}`);
    const qatModel = await deserializeModel(int8.model);
    const after = await evaluateTflite(await int8Bytes(qatModel, data), data, 'validation', { limit: 500 });
    assert.ok(Math.abs(after.accuracy - int8.metrics!.qatSimulatedInt8Accuracy) <= 0.02,
      `simulated after QAT ${int8.metrics!.qatSimulatedInt8Accuracy} vs TFLite ${after.accuracy}`);
    assert.ok(after.accuracy > before.accuracy, `TFLite int8 after QAT ${after.accuracy} vs before ${before.accuracy}`);
    qatModel.dispose();
    fragile.dispose();
  });

  test('only emits the modes the run\'s targets accept', async () => {
    const result = await host.invoke('quantization', { model: trained, data, targets: ['gpu-fp16'], config: { modes: ['float16', 'int8'] } });
    assert.deepEqual(result.failures, []);
    assert.deepEqual(result.candidates.map((c) => c.name), ['quantized-float16']);
  });
});
