// The TFLite runtimes: tfjs-tflite in Node (API, batching, errors, latency) and Arm NN.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { initEngine, tf } from '../../services/engine/backend/index.ts';
import { exportTflite } from '../../services/engine/export/index.ts';
import { armNnUnavailableReason, loadTfliteModel, measureHostLatency, runArmNn } from '../../services/engine/runtime/index.ts';

const armNnSkip = armNnUnavailableReason() ?? false;

describe('TFLite runtimes', { timeout: 120_000 }, () => {
  let bytes: Uint8Array;
  let model: tf.LayersModel;

  before(async () => {
    await initEngine('wasm');
    model = tf.sequential({
      layers: [
        tf.layers.dense({ inputShape: [6], units: 5, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }),
        tf.layers.dense({ units: 3, kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
      ],
    });
    bytes = (await exportTflite(model, { quantization: 'float32' })).bytes;
  });

  it('describes inputs/outputs and runs batches sample by sample', async () => {
    const m = await loadTfliteModel(bytes);
    assert.deepEqual(m.inputs.map((i) => [i.shape, i.dataType]), [[[1, 6], 'float32']]);
    assert.deepEqual(m.outputs.map((o) => o.shape), [[1, 3]]);
    const x = Float32Array.from({ length: 18 }, (_, i) => Math.sin(i));
    const batch = m.predict(x, [3, 6]);
    const one = m.predict(x.subarray(6, 12), [1, 6]);
    assert.deepEqual(Array.from(batch.subarray(3, 6)), Array.from(one));
    const expected = tf.tidy(() => (model.predict(tf.tensor(x, [3, 6])) as tf.Tensor).dataSync());
    batch.forEach((v, i) => assert.ok(Math.abs(v - expected[i]) < 1e-5, `output ${i}: ${v} vs ${expected[i]}`));
    assert.throws(() => m.predict(new Float32Array(5), [1, 5]), /input shape \[1,5\] does not match the model input \[1,6\]/);
    m.dispose();
    assert.throws(() => m.predict(x, [3, 6]), /disposed/);
  });

  it('rejects bytes that are not a TFLite model with one clear line', async () => {
    await assert.rejects(loadTfliteModel(new Uint8Array(64)), /not a TFLite file/);
  });

  it('measures host latency at batch 1', async () => {
    const stats = await measureHostLatency(bytes, { runs: 20, warmup: 2 });
    assert.equal(stats.runs, 20);
    assert.ok(stats.medianMs > 0 && stats.p90Ms >= stats.medianMs, `median ${stats.medianMs} ms, p90 ${stats.p90Ms} ms`);
    await assert.rejects(measureHostLatency(bytes, { runs: 0 }), /runs must be a positive integer/);
  });

  it('runs the model in Arm NN with the same outputs', { skip: armNnSkip }, async () => {
    const x = Float32Array.from({ length: 12 }, (_, i) => Math.cos(i));
    const { output, outputShape, rewrites } = await runArmNn(bytes, x, [2, 6]);
    assert.deepEqual(outputShape, [1, 3]);
    assert.deepEqual(rewrites, []);
    const expected = tf.tidy(() => (model.predict(tf.tensor(x, [2, 6])) as tf.Tensor).dataSync());
    output.forEach((v, i) => assert.ok(Math.abs(v - expected[i]) < 1e-5, `output ${i}: ${v} vs ${expected[i]}`));
    await assert.rejects(runArmNn(bytes, x, [3, 6]), /does not match shape/);
    const broken = bytes.slice(0, 200);
    await assert.rejects(runArmNn(broken, x, [2, 6]), (err: Error) => !err.message.includes('\n'));
  });
});
