// QAT's learned ranges through a whole run (embedded runner, real activities): the quantization
// step fine-tunes quantization-aware (one sample in 100 of the upload is a ×300 glitch, so
// post-training int8 loses accuracy), its output keeps the ranges it learned, the orchestration
// hands them to exportCandidate, and the stored .tflite holds them — read back from the file —
// rather than the exporter's calibration.
import { strict as assert } from 'node:assert';
import { after, before, test } from 'node:test';
import type { ActivationRanges } from '@condense/plugin-sdk';
import { withTenant } from '../../services/db/tenant.ts';
import { readTfliteModel } from '../../services/engine/export/index.ts';
import { asymmetricParams } from '../../services/engine/export/quantize.ts';
import type { RunServices } from '../../services/runs/run-services.ts';
import type { StepOutputRef } from '../../workflows/types.ts';
import { writeNpy, writeNpz } from '../helpers/fixtures-data.ts';
import { openTestRunServices, runFailure, runToEnd, type TestRunServices } from '../helpers/local-run.ts';
import { tinyData, tinyModelZip } from './tiny-fixtures.ts';

let stack: TestRunServices;
let services: RunServices;

before(async () => {
  stack = await openTestRunServices('qat-run', { latencyRuns: 2, calibrationSamples: 256, evalSamples: 200 });
  ({ services } = stack);
});
after(() => stack.close());

/** The tiny dataset with every 100th sample's features × 300; the npz upload and its largest value. */
function glitched(samples = 400): { npz: Uint8Array; max: number } {
  const { x, y } = tinyData(samples);
  const features = x.length / samples;
  for (let i = 0; i < samples; i += 100) for (let f = 0; f < features; f++) x[i * features + f] *= 300;
  return { npz: writeNpz({ x: writeNpy('<f4', [samples, features], x), y: writeNpy('<i4', [samples], y) }), max: Math.max(...x) };
}

test('a QAT candidate\'s stored int8 file holds the ranges its quantization step learned', async () => {
  const data = glitched();
  const run = await runToEnd(services, {
    model: { filename: 'tiny.zip', bytes: await tinyModelZip() },
    data: { filename: 'glitched.npz', bytes: data.npz },
    targets: ['cpu-int8'],
    techniques: [{ plugin: 'quantization', config: { modes: ['int8'], accuracyBudget: 0, qatEpochs: 3, emaDecay: 0.8, evaluationSamples: 200 } }],
    constraints: { maxAccuracyDrop: 1 },
  });
  assert.equal(run.result.status, 'succeeded', runFailure(run));
  const [candidate] = run.candidates;
  assert.equal(candidate!.status, 'succeeded', candidate!.failure_message ?? '');
  const [step] = await withTenant(services.database.db, run.orgId, (trx) => trx.selectFrom('step_artifacts').select('outputs').where('plugin', '=', 'quantization').execute());
  const [output] = step!.outputs as StepOutputRef[];
  assert.equal(output!.exportHints?.qat, true, `no QAT: ${output!.notes}`);
  const learned = output!.exportHints!.activationRanges as ActivationRanges;
  assert.ok(learned.input, 'the step output keeps the learned input range');

  const spec = readTfliteModel(await services.blobs.read(candidate!.tflite_sha256!));
  const quantize = spec.operators.find((o) => o.op === 'QUANTIZE')!;
  const input = spec.tensors[quantize.outputs[0]!]!.quantization!;
  const want = asymmetricParams(learned.input!);
  assert.deepEqual({ scale: input.scale[0], zeroPoint: input.zeroPoint[0] }, want, 'the file\'s input parameters are the learned ones');
  // A moving average of batch ranges, not the min/max over the training data that calibration takes.
  assert.ok(learned.input!.max < data.max * 0.9, `learned input range ${JSON.stringify(learned.input)} vs the data's max ${data.max}`);
  const hidden = spec.operators.find((o) => o.op === 'FULLY_CONNECTED')!;
  const hiddenOut = spec.tensors[hidden.outputs[0]!]!;
  const layer = Object.keys(learned.outputs).find((name) => hiddenOut.name === name);
  assert.ok(layer, `hidden tensor ${hiddenOut.name} vs learned ${Object.keys(learned.outputs).join(', ')}`);
  assert.deepEqual({ scale: hiddenOut.quantization!.scale[0], zeroPoint: hiddenOut.quantization!.zeroPoint[0] }, asymmetricParams(learned.outputs[layer]!));
});
