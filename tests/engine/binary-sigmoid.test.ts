// Binary classifiers with one sigmoid output: losses, accuracy and AUC, the class-count check,
// training, TFLite export (float32 and int8) and distillation with binary soft targets.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { PluginContext } from '@condense/plugin-sdk';
import { distillJointly } from '@condense/plugin-distillation';
import { initEngine, tf } from '../../services/engine/backend/index.ts';
import { datasetFromArrays, type Dataset } from '../../services/engine/data/index.ts';
import { ClassificationAccumulator, checkClassCount, evaluateModel, evaluateTflite, rocAuc } from '../../services/engine/evaluate/index.ts';
import { exportTflite } from '../../services/engine/export/index.ts';
import { accuracy, distillationLoss, evaluateSplit, fit, outputsLogits, sparseCategoricalCrossEntropy } from '../../services/engine/train/index.ts';
import { createTrainingHelpers } from '../../services/plugins/worker/training.ts';

/** 8×8 one-channel images: class 1 when the left half is brighter than the right. */
function halves(n: number, seed = 5): Dataset {
  let s = seed >>> 0;
  const r = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const x = new Float32Array(n * 64);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = i % 2;
    for (let p = 0; p < 64; p++) x[i * 64 + p] = r() * 0.6 + ((p & 7) < 4 === (y[i] === 1) ? 0.3 : 0);
  }
  return datasetFromArrays(x, y, [8, 8, 1], { seed: 3 });
}

function sigmoidCnn(seed: number): tf.LayersModel {
  const init = (k: number) => tf.initializers.glorotUniform({ seed: seed * 10 + k });
  return tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [8, 8, 1], filters: 4, kernelSize: 3, activation: 'relu', kernelInitializer: init(1) }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 1, activation: 'sigmoid', kernelInitializer: init(2) }),
    ],
  });
}

describe('binary classifiers with one sigmoid output', { timeout: 300_000 }, () => {
  before(async () => {
    await initEngine('wasm');
  });

  it('reads one output unit as the two classes [1 − p, p] in every loss and in accuracy', () => {
    const p = tf.tensor2d([[0.9], [0.2], [0.6]]);
    const labels = tf.tensor1d([1, 1, 0], 'int32');
    const bce = -(Math.log(0.9) + Math.log(0.2) + Math.log(0.4)) / 3;
    assert.ok(Math.abs(sparseCategoricalCrossEntropy(p, labels, false).dataSync()[0] - bce) < 1e-5);
    const logits = tf.log(tf.div(p, tf.sub(1, p)));
    assert.ok(Math.abs(sparseCategoricalCrossEntropy(logits, labels, true).dataSync()[0] - bce) < 1e-5, 'logit input gives the same BCE');
    assert.ok(Math.abs(accuracy(p, labels).dataSync()[0] - 1 / 3) < 1e-6, 'p > 0.5 predicts class 1');
    assert.ok(Math.abs(accuracy(logits, labels, true).dataSync()[0] - 1 / 3) < 1e-6);
    // A sigmoid teacher against a two-unit softmax student equals the same teacher written as softmax.
    const student = tf.tensor2d([[0.3, 1.2], [2, -1], [0, 0.5]]);
    const asSoftmax = tf.concat([tf.sub(1, p), p], 1);
    const opts = { temperature: 3, alpha: 0.4, studentFromLogits: true, teacherFromLogits: false };
    const a = distillationLoss(student, p, labels, opts).dataSync()[0];
    const b = distillationLoss(student, asSoftmax, labels, opts).dataSync()[0];
    assert.ok(Math.abs(a - b) < 1e-5, `binary soft targets ${a} vs softmax ${b}`);
    assert.throws(() => distillationLoss(tf.zeros([3, 3]), p, labels, opts), /student scores 3 classes but the teacher 2/);
  });

  it('scores one probability per sample at threshold 0.5, and the ROC AUC of any binary classifier', () => {
    const acc = new ClassificationAccumulator(2);
    acc.add([0.9, 0.4, 0.6, 0.1], [1, 1, 0, 0]);
    const r = acc.result();
    assert.equal(r.accuracy, 0.5);
    assert.deepEqual(r.confusion, [[1, 1], [1, 1]]);
    assert.deepEqual(Array.from(r.predictions), [1, 0, 1, 0]);
    assert.equal(r.auc, 0.75, 'pairs (0.9>0.6, 0.9>0.1, 0.4<0.6, 0.4>0.1): 3 of 4');
    const two = new ClassificationAccumulator(2);
    two.add([0.1, 0.9, 0.6, 0.4, 0.4, 0.6, 0.9, 0.1], [1, 1, 0, 0]);
    assert.equal(two.result().auc, 0.75, 'two softmax columns give the same AUC as P(class 1)');
    assert.equal(rocAuc([0.5, 0.5], [0, 1]), 0.5, 'ties count half');
    assert.equal(rocAuc([0.2, 0.3], [1, 1]), undefined);
    assert.equal(new ClassificationAccumulator(3).result().auc, undefined);
    assert.throws(() => new ClassificationAccumulator(3).add([0.5, 0.5], [0, 1]), /expected 2 samples × 3 classes/);
  });

  it('accepts one sigmoid unit for two classes; a mismatch names both counts', () => {
    const model = (units: number, activation: 'sigmoid' | 'linear' | 'softmax') => tf.sequential({ layers: [tf.layers.dense({ inputShape: [3], units, activation })] });
    const sigmoid = model(1, 'sigmoid');
    assert.equal(checkClassCount(sigmoid, 2), undefined);
    assert.equal(outputsLogits(sigmoid), false);
    assert.equal(checkClassCount(sigmoid, 3), 'the model has 1 sigmoid output (a binary classifier, 2 classes) but the dataset has 3 classes');
    assert.match(checkClassCount(model(1, 'linear'), 2)!, /1 output unit without a sigmoid/);
    assert.equal(checkClassCount(model(3, 'softmax'), 2), 'model predicts 3 classes but the dataset has 2');
    assert.equal(checkClassCount(model(2, 'softmax'), 2), undefined);
  });

  it('trains a small image model, exports it float32 and int8, and the TFLite runtime agrees', async () => {
    const data = halves(600);
    const model = sigmoidCnn(1);
    await fit(model, data, { epochs: 6, batchSize: 32, validationSplit: null, seed: 1, optimizer: { name: 'adam', learningRate: 0.01 } });
    const tfjs = await evaluateModel(model, data, 'test');
    assert.ok(tfjs.accuracy > 0.9, `tfjs accuracy ${tfjs.accuracy}`);
    assert.ok(tfjs.auc! > 0.95, `tfjs AUC ${tfjs.auc}`);
    const split = await evaluateSplit(model, data, { split: 'test', fromLogits: outputsLogits(model) });
    assert.ok(Math.abs(split.accuracy - tfjs.accuracy) < 1e-6, 'training-side and evaluation-side accuracy agree');
    const float = await exportTflite(model, { quantization: 'float32' });
    assert.ok(float.ops.includes('LOGISTIC'));
    const f = await evaluateTflite(float.bytes, data, 'test');
    assert.equal(f.accuracy, tfjs.accuracy);
    assert.ok(Math.abs(f.auc! - tfjs.auc!) < 1e-6);
    const calibration = async function* () {
      for await (const b of data.batches('train', 64, { limit: 256 })) yield b.x!;
    };
    const int8 = await exportTflite(model, { quantization: 'int8', representativeData: calibration() });
    const q = await evaluateTflite(int8.bytes, data, 'test');
    assert.ok(Math.abs(q.accuracy - tfjs.accuracy) <= 0.02, `int8 ${q.accuracy} vs float ${tfjs.accuracy}`);
    model.dispose();
  });

  it('distils a sigmoid teacher into softmax students with binary soft targets', async () => {
    const data = halves(600, 9);
    const teacher = sigmoidCnn(2);
    await fit(teacher, data, { epochs: 6, batchSize: 32, validationSplit: null, seed: 2, optimizer: { name: 'adam', learningRate: 0.01 } });
    const signal = new AbortController().signal;
    const quiet = () => undefined;
    const ctx = {
      tf, data: data as unknown as PluginContext['data'], signal, progress: quiet,
      train: createTrainingHelpers({ data: data as unknown as PluginContext['data'], signal, progress: quiet }),
      log: { debug: quiet, info: quiet, warn: quiet, error: quiet },
    };
    const result = await distillJointly(ctx, teacher, ['small'], { temperature: 2, alpha: 0.3, epochs: 4, batchSize: 32, learningRate: 0.005, samplesPerEpoch: 0, seed: 0 });
    const student = result.students[0].model;
    assert.equal(student.outputs[0].shape.at(-1), 2);
    const metrics = await evaluateModel(student, data, 'test');
    assert.ok(metrics.accuracy > 0.85, `student accuracy ${metrics.accuracy}`);
    student.dispose();
    teacher.dispose();
  });
});
