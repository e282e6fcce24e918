// The training loop: losses, fit, progress, cancellation, checkpoint/resume, early stopping,
// multi-model steps and tensor hygiene, on the wasm backend.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { tf, initEngine } from '../../services/engine/backend/index.ts';
import {
  fit, runTrainingLoop, createOptimizer, sparseCategoricalCrossEntropy, distillationLoss, accuracy,
  trainableVariables, hasCheckpoint, evaluateSplit, type TrainingProgress,
} from '../../services/engine/train/index.ts';
import type { Dataset } from '../../services/engine/data/index.ts';
import { clusters, mlp } from './train_helpers.ts';

before(async () => {
  await initEngine('wasm');
});

const close = (a: number, b: number, tol = 1e-5) => assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${a} vs ${b}`);

test('cross-entropy from logits equals cross-entropy from the softmax probabilities and the hand value', () => {
  const logits = tf.tensor2d([[2, 1, 0], [0, 0, 3]]);
  const labels = tf.tensor1d([0, 1], 'int32');
  const fromLogits = sparseCategoricalCrossEntropy(logits, labels, true).dataSync()[0];
  const fromProbs = sparseCategoricalCrossEntropy(tf.softmax(logits), labels, false).dataSync()[0];
  const p0 = Math.exp(2) / (Math.exp(2) + Math.exp(1) + 1);
  const p1 = 1 / (2 + Math.exp(3));
  close(fromLogits, -(Math.log(p0) + Math.log(p1)) / 2);
  close(fromProbs, fromLogits);
  close(accuracy(logits, labels).dataSync()[0], 0.5);
  tf.dispose([logits, labels]);
});

test('distillation loss: alpha=1 is the hard loss, alpha=0 is T²·KL, zero KL when student equals teacher', () => {
  const student = tf.tensor2d([[1, 2, 0.5], [0.2, -1, 2]]);
  const teacher = tf.tensor2d([[3, 0, 1], [0, 0, 4]]);
  const labels = tf.tensor1d([1, 2], 'int32');
  const ce = sparseCategoricalCrossEntropy(student, labels).dataSync()[0];
  close(distillationLoss(student, teacher, labels, { temperature: 4, alpha: 1 }).dataSync()[0], ce);
  const T = 2;
  const soft = (row: number[]) => { const e = row.map((v) => Math.exp(v / T)); const s = e.reduce((a, b) => a + b); return e.map((v) => v / s); };
  const s = student.arraySync() as number[][];
  const t = teacher.arraySync() as number[][];
  let kl = 0;
  for (let i = 0; i < 2; i++) {
    const pt = soft(t[i]);
    const ps = soft(s[i]);
    kl += pt.reduce((acc, p, k) => acc + p * Math.log(p / ps[k]), 0) / 2;
  }
  close(distillationLoss(student, teacher, labels, { temperature: T, alpha: 0 }).dataSync()[0], T * T * kl);
  close(distillationLoss(student, student, labels, { temperature: 3, alpha: 0 }).dataSync()[0], 0);
  // a softmax teacher gives the same soft targets as its logits
  close(distillationLoss(student, tf.softmax(teacher), labels, { temperature: T, alpha: 0, teacherFromLogits: false }).dataSync()[0], T * T * kl);
  assert.throws(() => distillationLoss(student, teacher, labels, { temperature: 0, alpha: 0.5 }), /temperature must be > 0/);
  tf.dispose([student, teacher, labels]);
});

test('fit learns, reports progress, validates and leaks no tensors', async () => {
  const data = clusters(600, 12, 4);
  const model = mlp(12, 4);
  const before = tf.memory().numTensors;
  const events: TrainingProgress[] = [];
  const result = await fit(model, data, {
    epochs: 3, batchSize: 32, optimizer: { name: 'adam', learningRate: 0.01 }, progressEvery: 5,
    onProgress: (p) => events.push(p),
  });
  assert.equal(tf.memory().numTensors, before, 'tensors leaked by fit');
  assert.equal(result.epochsCompleted, 3);
  const last = result.history[2].metrics;
  assert.ok(last.accuracy > 0.9, `train accuracy ${last.accuracy}`);
  assert.ok(last.val_accuracy > 0.85, `val accuracy ${last.val_accuracy}`);
  assert.ok(result.history[2].metrics.loss < result.history[0].metrics.loss);
  const steps = events.filter((e) => !e.epochEnd);
  const ends = events.filter((e) => e.epochEnd);
  assert.equal(ends.length, 3);
  const stepsPerEpoch = Math.ceil(data.info.splits.train / 32);
  assert.equal(steps[0].stepsPerEpoch, stepsPerEpoch);
  assert.equal(steps[0].step, 5);
  assert.equal(steps[0].epochs, 3);
  assert.ok(steps[0].samplesPerSecond > 0 && Number.isFinite(steps[0].loss) && steps[0].etaSeconds > 0);
  assert.ok('accuracy' in steps[0].metrics);
  assert.ok('val_loss' in ends[2].metrics && ends[2].etaSeconds === 0);
  model.dispose();
});

test('rmsprop and sgd optimizers train too; a softmax model is detected as probabilities', async () => {
  const data = clusters(400, 8, 3, 7);
  for (const name of ['sgd', 'rmsprop'] as const) {
    const model = mlp(8, 3, true);
    const result = await fit(model, data, { epochs: 3, batchSize: 16, optimizer: { name, learningRate: name === 'sgd' ? 0.2 : 0.01 } });
    assert.ok(result.history[2].metrics.val_accuracy > 0.8, `${name}: ${JSON.stringify(result.history[2].metrics)}`);
    model.dispose();
  }
  assert.throws(() => createOptimizer({ name: 'adam', learningRate: -1 }), /learning rate must be a positive number/);
});

test('an AbortSignal stops within one batch with an AbortError and leaks nothing', async () => {
  const data = clusters(640, 8, 2);
  const model = mlp(8, 2);
  const optimizer = createOptimizer('adam');
  const controller = new AbortController();
  const vars = trainableVariables(model);
  // warm up so the optimizer's slots exist before counting tensors
  let stepsAfterAbort = 0;
  let steps = 0;
  const step = ({ xs, ys }: { xs: tf.Tensor; ys: tf.Tensor }) => {
    if (controller.signal.aborted) stepsAfterAbort++;
    steps++;
    if (steps === 7) controller.abort();
    return { loss: optimizer.minimize(() => sparseCategoricalCrossEntropy(model.apply(xs) as tf.Tensor, ys), true, vars) as tf.Scalar };
  };
  await runTrainingLoop({ data, epochs: 1, batchSize: 16, limit: 32, step: (c) => step(c) });
  steps = 0;
  const before = tf.memory().numTensors;
  await assert.rejects(runTrainingLoop({ data, epochs: 5, batchSize: 16, step: (c) => step(c), signal: controller.signal }),
    (err: Error) => err.name === 'AbortError' && /training cancelled/.test(err.message));
  assert.equal(steps, 7);
  assert.equal(stepsAfterAbort, 0);
  assert.equal(tf.memory().numTensors, before);
  optimizer.dispose();
  model.dispose();
});

async function finalWeights(model: tf.LayersModel): Promise<Float32Array[]> {
  return Promise.all(model.getWeights().map(async (w) => (await w.data()) as Float32Array));
}

test('a run cancelled mid-epoch and resumed from its checkpoint ends exactly where an uninterrupted run does', async () => {
  const data = clusters(300, 10, 3, 5);
  const dir = await mkdtemp(path.join(tmpdir(), 'condense-ckpt-'));
  try {
    const reference = mlp(10, 3);
    const refResult = await fit(reference, data, { epochs: 3, batchSize: 16, seed: 9, validationSplit: null });
    const want = await finalWeights(reference);

    const controller = new AbortController();
    const first = mlp(10, 3);
    let seen = 0;
    await assert.rejects(fit(first, data, {
      epochs: 3, batchSize: 16, seed: 9, validationSplit: null, progressEvery: 1, signal: controller.signal,
      checkpoint: { dir, everySteps: 4 },
      onProgress: (p) => { if (!p.epochEnd && ++seen === 20) controller.abort(); }, // epoch 2, mid-way
    }), { name: 'AbortError' });
    assert.ok(hasCheckpoint(dir));

    const resumed = tf.sequential({ layers: [
      tf.layers.dense({ inputShape: [10], units: 16, activation: 'relu' }), tf.layers.dense({ units: 3 }),
    ] }); // different initial weights: everything must come from the checkpoint
    const result = await fit(resumed, data, { epochs: 3, batchSize: 16, seed: 9, validationSplit: null, checkpoint: { dir } });
    assert.ok(result.resumedFrom && result.resumedFrom.epoch === 1 && result.resumedFrom.step > 0, JSON.stringify(result.resumedFrom));
    assert.equal(result.epochsCompleted, 3);
    const got = await finalWeights(resumed);
    got.forEach((g, i) => g.forEach((v, k) => assert.ok(Math.abs(v - want[i][k]) < 1e-5, `weight ${i}[${k}]: ${v} vs ${want[i][k]}`)));
    // epoch means cover the batches before and after the interruption
    close(result.history[1].metrics.loss, refResult.history[1].metrics.loss, 1e-4);
    [reference, first, resumed].forEach((m) => m.dispose());
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('every step knows its place: globalStep counts on across epochs and totalSteps is epochs × batches', async () => {
  const data = clusters(100, 4, 2);
  const seen: Array<[number, number]> = [];
  // 35 of the training samples at batch 16: 3 batches (16, 16, 3) per epoch.
  await runTrainingLoop({ data, epochs: 2, batchSize: 16, limit: 35, step: ({ globalStep, totalSteps }) => { seen.push([globalStep, totalSteps]); } });
  assert.deepEqual(seen, [[0, 6], [1, 6], [2, 6], [3, 6], [4, 6], [5, 6]]);
});

test('early stopping stops after `patience` epochs without improvement and can restore the best weights', async () => {
  const data = clusters(200, 6, 2);
  const scores = [0.5, 0.4, 0.45, 0.41, 0.42, 0.3];
  let epochSeen = -1;
  const result = await runTrainingLoop({
    data, epochs: 6, batchSize: 50, step: () => ({ loss: 1 }),
    validate: (epoch) => { epochSeen = epoch; return { val_loss: scores[epoch] }; },
    earlyStopping: { monitor: 'val_loss', patience: 2 },
  });
  assert.equal(result.epochsCompleted, 4);
  assert.equal(epochSeen, 3);
  assert.ok(result.stoppedEarly);
  assert.equal(result.bestEpoch, 2);
  await assert.rejects(runTrainingLoop({ data, epochs: 2, batchSize: 50, step: () => ({ loss: 1 }), earlyStopping: { monitor: 'val_acc', patience: 1 } }),
    /early stopping monitors 'val_acc' but epochs report only: loss/);
});

test('fit with restoreBestWeights returns the weights of the best epoch when it stops early', async () => {
  const data = clusters(200, 6, 2, 4);
  const model = mlp(6, 2);
  const snapshots: Float32Array[][] = [];
  const result = await fit(model, data, {
    epochs: 6, batchSize: 20, validationSplit: null,
    optimizer: { name: 'sgd', learningRate: 40 }, // diverges after the first epoch
    earlyStopping: { monitor: 'loss', patience: 1, restoreBestWeights: true },
    onProgress: (p) => { if (p.epochEnd) snapshots.push(model.getWeights().map((w) => w.dataSync() as Float32Array)); },
  });
  assert.ok(result.stoppedEarly && result.bestEpoch !== undefined, JSON.stringify(result.history.map((h) => h.metrics.loss)));
  const best = snapshots[(result.bestEpoch as number) - 1];
  assert.notDeepEqual(Array.from(snapshots[snapshots.length - 1][0]), Array.from(best[0]));
  model.getWeights().forEach((w, i) => assert.deepEqual(Array.from(w.dataSync()), Array.from(best[i])));
  model.dispose();
});

test('a generic step trains several students from one teacher forward per batch', async () => {
  const data = clusters(300, 8, 3, 11);
  const teacher = mlp(8, 3);
  await fit(teacher, data, { epochs: 4, batchSize: 16, optimizer: { name: 'adam', learningRate: 0.02 }, validationSplit: null });
  const students = [0, 1, 2].map(() => tf.sequential({ layers: [tf.layers.dense({ inputShape: [8], units: 3 })] }));
  const before = tf.memory().numTensors;
  const optimizers = students.map(() => createOptimizer({ name: 'adam', learningRate: 0.05 }));
  let teacherForwards = 0;
  const result = await runTrainingLoop({
    data, epochs: 3, batchSize: 16,
    step: ({ xs, ys }) => {
      const teacherOut = tf.tidy(() => teacher.apply(xs) as tf.Tensor);
      teacherForwards++;
      const out: Record<string, tf.Tensor> = {};
      students.forEach((s, i) => {
        out[`loss_${i}`] = optimizers[i].minimize(() => distillationLoss(s.apply(xs) as tf.Tensor, teacherOut, ys, { temperature: 2, alpha: 0.3 * i }), true, trainableVariables(s)) as tf.Scalar;
      });
      teacherOut.dispose();
      return out;
    },
  });
  const stepsPerEpoch = Math.ceil(data.info.splits.train / 16);
  assert.equal(teacherForwards, 3 * stepsPerEpoch);
  for (let i = 0; i < 3; i++) assert.ok(result.history[2].metrics[`loss_${i}`] < result.history[0].metrics[`loss_${i}`]);
  optimizers.forEach((o) => o.dispose());
  // optimizers (and the slots they created during the run) are gone: nothing else remains
  assert.equal(tf.memory().numTensors, before);
  [teacher, ...students].forEach((m) => m.dispose());
});

test('bad input fails with one clear line', async () => {
  const data = clusters(50, 4, 2);
  const text: Dataset = { info: { ...data.info, kind: 'text', inputShape: [] }, batches: data.batches.bind(data) };
  await assert.rejects(runTrainingLoop({ data: text, epochs: 1, batchSize: 8, step: () => undefined }), /text datasets need a toTensors\(batch\) option/);
  const model = mlp(4, 2);
  await assert.rejects(evaluateSplit(model, text, { fromLogits: true }), /text datasets need a toTensors\(batch\) option/);
  model.dispose();
  await assert.rejects(runTrainingLoop({ data, epochs: 0, batchSize: 8, step: () => undefined }), /epochs must be a positive integer, got 0/);
  await assert.rejects(runTrainingLoop({ data, epochs: 1, batchSize: 8, limit: 0, step: () => undefined }), /split holds no samples/);
});
