// Upload pre-flight: the engine's export report per model, judged per hardware target, and the
// start-of-run refusal built on it.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { initEngine, tf } from '../../services/engine/backend/index.ts';
import { exportPreflight } from '../../services/engine/preflight/index.ts';
import { inspectModel } from '../../services/engine/import/index.ts';
import { preflightRefusal, targetPreflight } from '../../services/targets/index.ts';
import { randomizeWeights, writeKerasH5 } from '../helpers/fixtures-keras.ts';

before(async () => {
  await initEngine('wasm');
});

const cnn = () => tf.sequential({ layers: [
  tf.layers.conv2d({ inputShape: [8, 8, 1], filters: 4, kernelSize: 3, activation: 'relu', name: 'conv' }),
  tf.layers.globalAveragePooling2d({ name: 'gap' }),
  tf.layers.dense({ units: 3, activation: 'softmax', name: 'out' })] });

test('a plain CNN exports for every target, with parameters, MACs and activation memory', async () => {
  const report = await exportPreflight(cnn());
  assert.deepEqual(report.blockers, []);
  assert.equal(report.parameterCount, 3 * 3 * 4 + 4 + 4 * 3 + 3);
  assert.equal(report.macs, 6 * 6 * 4 * 9 + 4 * 3);
  assert.deepEqual(report.exports.map((e) => `${e.mode}${e.ioType ? `/${e.ioType}-io` : ''}`), ['float32', 'float16', 'dynamic-int8', 'int8', 'int8/int8-io']);
  assert.ok(report.exports[0].peakActivationBytes > 0);
  assert.deepEqual(report.opLayers.CONV_2D, ['conv']);
  const verdicts = targetPreflight(report);
  assert.ok(verdicts.length >= 5);
  for (const v of verdicts) assert.equal(v.exportable, true, `${v.target}: ${JSON.stringify(v.blockers)}`);
  assert.equal(preflightRefusal({ blockers: report.blockers, targets: verdicts }, ['cpu-int8', 'mcu-int8'], false), undefined);
});

test('a layer without a converter blocks every target and the run is refused naming it', async () => {
  const model = tf.sequential({ layers: [
    tf.layers.dense({ inputShape: [8], units: 4 }),
    tf.layers.thresholdedReLU({ theta: 0.5, name: 'thresh' }),
    tf.layers.dense({ units: 3 })] });
  const report = await exportPreflight(model);
  assert.deepEqual(report.blockers, [{ layer: 'thresh', className: 'ThresholdedReLU', reason: 'no TFLite converter for ThresholdedReLU' }]);
  const verdicts = targetPreflight(report, ['cpu-int8', 'mcu-int8']);
  assert.ok(verdicts.every((v) => !v.exportable && v.blockers[0].layer === 'thresh'));
  const refusal = preflightRefusal({ blockers: report.blockers, targets: verdicts }, ['cpu-int8'], true);
  assert.match(refusal ?? '', /^the model cannot be exported to TFLite: no TFLite converter for ThresholdedReLU/);
});

test('a float-only layer in an int8 model blocks int8-only targets, naming the layer; students may still be made', async () => {
  const model = tf.sequential({ layers: [
    tf.layers.conv2d({ inputShape: [6, 6, 1], filters: 3, kernelSize: 3, name: 'conv' }),
    tf.layers.elu({ name: 'elu_layer' }),
    tf.layers.flatten({}), tf.layers.dense({ units: 3, name: 'out' })] });
  const report = await exportPreflight(model);
  assert.deepEqual(report.floatInInt8Layers, ['elu_layer']);
  const [cpu, mcu] = targetPreflight(report, ['cpu-fp32', 'mcu-int8']);
  assert.equal(cpu.exportable, true);
  assert.equal(mcu.exportable, false);
  assert.ok(mcu.blockers.some((b) => b.layer === 'elu_layer'), JSON.stringify(mcu.blockers));
  const input = { blockers: report.blockers, targets: [cpu, mcu] };
  assert.match(preflightRefusal(input, ['mcu-int8'], false) ?? '', /nothing can be produced for mcu-int8: .*elu_layer/);
  assert.equal(preflightRefusal(input, ['mcu-int8'], true), undefined, 'distillation students use supported layers');
  assert.equal(preflightRefusal(input, ['cpu-fp32'], false), undefined);
});

test('inspectModel runs the pre-flight on an uploaded Keras file', async () => {
  const ref = cnn();
  const bytes = await writeKerasH5({ style: 'keras2', modelConfig: ref.toJSON(null, false), layers: randomizeWeights(ref, 5) });
  const meta = await inspectModel({ filename: 'cnn.h5', bytes }, { preflight: true });
  assert.ok(meta.preflight);
  assert.equal(meta.preflight.parameterCount, ref.countParams());
  assert.deepEqual(meta.preflight.blockers, []);
  assert.equal((await inspectModel({ filename: 'cnn.h5', bytes })).preflight, undefined);
});

test('an Embedding → GlobalAveragePooling1D text model: targets without GATHER judge its bag-of-ids form', async () => {
  const text = (pool: 'average' | 'max') => tf.sequential({ layers: [
    tf.layers.embedding({ inputDim: 50, outputDim: 4, inputLength: 12, name: 'embedding' }),
    pool === 'average' ? tf.layers.globalAveragePooling1d({ name: 'pool' }) : tf.layers.globalMaxPooling1d({ name: 'pool' }),
    tf.layers.dense({ units: 1, activation: 'sigmoid', name: 'out' })] });
  const report = await exportPreflight(text('average'));
  assert.ok(report.exports.every((e) => e.ops.includes('GATHER')));
  assert.ok(report.gatherFree && report.gatherFree.exports.every((e) => !e.ops.includes('GATHER') && !e.ops.includes('CAST')), JSON.stringify(report.gatherFree?.exports.map((e) => e.ops)));
  const [edgetpu] = targetPreflight(report, ['edgetpu-int8']);
  assert.equal(edgetpu.exportable, true, JSON.stringify(edgetpu.blockers));
  // Max pooling has no bag form: the Edge TPU cannot run its GATHER, and the run is refused naming the layer.
  const max = await exportPreflight(text('max'));
  assert.equal(max.gatherFree, undefined);
  const [blocked] = targetPreflight(max, ['edgetpu-int8']);
  assert.equal(blocked.exportable, false);
  assert.ok(blocked.blockers.some((b) => b.layer === 'embedding' && b.className === 'GATHER'), JSON.stringify(blocked.blockers));
});
