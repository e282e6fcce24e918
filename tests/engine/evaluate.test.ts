// Evaluation: metrics from logits, parameter and MAC counts, tfjs and TFLite evaluation over a Dataset.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { initEngine, tf } from '../../services/engine/backend/index.ts';
import { datasetFromArrays } from '../../services/engine/data/arrays.ts';
import {
  ClassificationAccumulator, countMacs, countParameters, evaluateModel, evaluateTflite,
} from '../../services/engine/evaluate/index.ts';
import { exportTflite } from '../../services/engine/export/index.ts';

describe('evaluation', { timeout: 120_000 }, () => {
  before(async () => {
    await initEngine('wasm');
  });

  it('computes accuracy, top-k and the confusion matrix from streamed logits', () => {
    const acc = new ClassificationAccumulator(3, 2);
    acc.add([2, 1, 0, /**/ 0, 1, 3, /**/ 1, 3, 2], [0, 0, 2]); // correct, top-2 miss, top-2 hit
    acc.add([0, 0.5, 1], [2]); // correct
    const r = acc.result();
    assert.equal(r.count, 4);
    assert.equal(r.accuracy, 0.5);
    assert.deepEqual(r.topK, { k: 2, accuracy: 0.75 });
    assert.deepEqual(r.confusion, [[1, 0, 1], [0, 0, 0], [0, 1, 1]]);
    assert.deepEqual(Array.from(r.predictions), [0, 2, 1, 2]);
    assert.throws(() => acc.add([1, 2, 3], [3]), /label 3 is outside 0..2/);
    assert.throws(() => acc.add([1, 2], [0]), /expected 1 samples × 3 classes/);
  });

  it('counts parameters and MACs per inference', () => {
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [10, 10, 2], filters: 4, kernelSize: 3, padding: 'same' }), // 10·10·(3·3·2·4) = 7200
        tf.layers.batchNormalization(),
        tf.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2 }), // 8·8·(3·3·4·2) = 4608
        tf.layers.separableConv2d({ filters: 5, kernelSize: 3 }), // 6·6·(3·3·8 + 8·5) = 4032
        tf.layers.globalAveragePooling2d({}),
        tf.layers.dense({ units: 3 }), // 5·3 = 15
      ],
    });
    const params = countParameters(model);
    assert.equal(params.total, model.countParams());
    assert.equal(params.total - params.trainable, 8, 'BatchNorm moving mean/variance are not trainable');
    const macs = countMacs(model);
    assert.deepEqual(macs.layers.map((l) => l.macs), [7200, 0, 4608, 4032, 0, 15]);
    assert.equal(macs.total, 7200 + 4608 + 4032 + 15);
  });

  it('evaluates a tfjs model and its TFLite export on the same split, without leaking tensors', async () => {
    // Two separable blobs: class 0 where the first feature is positive, class 1 where negative.
    const n = 200;
    const x = new Float32Array(n * 4);
    const y = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      y[i] = i % 2;
      for (let j = 0; j < 4; j++) x[i * 4 + j] = Math.sin(i * 7 + j * 3) * 0.5 + (j === 0 ? (y[i] ? -1 : 1) : 0);
    }
    const ds = datasetFromArrays(x, y, [4], { seed: 3, testFraction: 0.25 });
    const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: 2, kernelInitializer: 'zeros' })] });
    model.layers[0].setWeights([tf.tensor2d([[2, -2], [0, 0], [0, 0], [0, 0]]), tf.tensor1d([0, 0])]);
    const before = tf.memory().numTensors;
    const ref = await evaluateModel(model, ds, 'test', { batchSize: 7 });
    assert.equal(tf.memory().numTensors, before, 'no tensors leaked');
    assert.ok(ref.count > 0 && ref.accuracy > 0.9, `accuracy ${ref.accuracy} on ${ref.count}`);
    const { bytes } = await exportTflite(model, { quantization: 'float32' });
    const lite = await evaluateTflite(bytes, ds, 'test', { batchSize: 7, latency: { runs: 5, warmup: 1 } });
    assert.equal(lite.accuracy, ref.accuracy);
    assert.deepEqual(lite.confusion, ref.confusion);
    assert.equal(lite.sizeBytes, bytes.length);
    assert.ok(lite.latency && lite.latency.medianMs > 0, 'latency measured');
  });
});
