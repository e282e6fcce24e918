// The distillation plugin's new parts: augmentation is deterministic under a seed and does what it
// says; successive halving's rungs and its early stopping inside the joint loop; the budget's
// epochs; BatchNorm recalibration; students derived from the teacher's own architecture.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { ProgressUpdate } from '@condense/plugin-sdk';
import {
  augmentImages, batchRandom, buildStudent, buildStudents, configSchema, distillJointly, epochsWithinBudget, halvingRungs, halvingTrialEpochs, inheritChannels, narrowTeacher, recalibrateBatchNorm, recalibrateWhereItHelps,
  studentName, survivors,
} from '@condense/plugin-distillation';
import { initEngine, tf } from '../../services/engine/backend/index.ts';
import { datasetFromArrays, type Dataset } from '../../services/engine/data/index.ts';
import { evaluateSplit, fit } from '../../services/engine/train/index.ts';
import { localContext, quadrants } from '../helpers/distillation-fixtures.ts';

describe('augmentation', () => {
  const image = Float32Array.from({ length: 2 * 4 * 4 * 1 }, (_, i) => i + 1);
  const options = { cropPadding: 1, flip: true, mixup: 0.5 };

  it('gives the same batch for the same seed and step, another for another step', () => {
    const a = augmentImages(image, 2, [4, 4, 1], options, batchRandom(5, 3));
    const b = augmentImages(image, 2, [4, 4, 1], options, batchRandom(5, 3));
    assert.deepEqual(a, b);
    const others = [4, 5, 6, 7].map((step) => augmentImages(image, 2, [4, 4, 1], options, batchRandom(5, step)).x);
    assert.ok(others.some((x) => x.some((v, i) => v !== a.x[i])), 'other steps draw other crops/flips');
    assert.deepEqual(image.slice(0, 3), Float32Array.from([1, 2, 3]), 'the input is not modified');
  });

  it('shifts with zero padding, mirrors left-right, and mixes whole images', () => {
    // A random() that always returns 0: shift −pad in y and x, flip (0 < 0.5), then mixup with λ = 0.
    const zero = () => 0;
    const one = augmentImages(Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]), 1, [3, 3, 1], { cropPadding: 1, flip: false, mixup: 0 }, zero);
    assert.deepEqual([...one.x], [0, 0, 0, 0, 1, 2, 0, 4, 5], 'content moves down-right by one pixel, zeros come in');
    const flipped = augmentImages(Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]), 1, [3, 3, 1], { cropPadding: 0, flip: true, mixup: 0 }, zero);
    assert.deepEqual([...flipped.x], [3, 2, 1, 6, 5, 4, 9, 8, 7]);
    const half = (() => { const seq = [0, 0.5, 0]; let i = 0; return () => seq[i++ % seq.length]; })();
    const mixed = augmentImages(Float32Array.from([2, 2, 4, 4]), 2, [1, 2, 1], { cropPadding: 0, flip: false, mixup: 1 }, half);
    assert.equal(mixed.mixed, 0.5);
    assert.deepEqual([...mixed.x], [3, 3, 3, 3], 'λ = ½ blends each image with its (swapped) partner');
  });

  it('rotates and scales about the centre, bilinearly, and a zero draw of either leaves the shift alone', () => {
    const img = Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const seq = (values: number[]) => { let i = 0; return () => values[i++ % values.length]; };
    // Draws (no padding, no flip): θ = (2r − 1)·rotation, then s = 1 + (2r − 1)·scale.
    const same = augmentImages(img, 1, [3, 3, 1], { cropPadding: 0, flip: false, mixup: 0, rotation: 30, scale: 0.2 }, seq([0.5, 0.5]));
    assert.deepEqual([...same.x], [...img], 'θ = 0 and s = 1 reproduce the image');
    const turned = augmentImages(img, 1, [3, 3, 1], { cropPadding: 0, flip: false, mixup: 0, rotation: 90 }, seq([1, 0.5]));
    assert.deepEqual([...turned.x].map((v) => Math.round(v * 1e4) / 1e4), [7, 4, 1, 8, 5, 2, 9, 6, 3], 'a quarter turn');
    // s = 2 (scale 1, r = 1): output pixel (0, 0) reads the input half-way to the centre, (0.5, 0.5).
    const zoomed = augmentImages(img, 1, [3, 3, 1], { cropPadding: 0, flip: false, mixup: 0, scale: 1 }, seq([0.5, 1]));
    assert.equal(zoomed.x[0], (1 + 2 + 4 + 5) / 4, 'bilinear between the four nearest pixels');
    assert.equal(zoomed.x[4], 5, 'the centre stays');
    // With shift and flip the affine path draws the shift first, as crops do: at θ = 0, s = 1 it gives the crop's image.
    const shifted = augmentImages(img, 1, [3, 3, 1], { cropPadding: 1, flip: false, mixup: 0, rotation: 10 }, seq([0, 0, 0.5]));
    assert.deepEqual([...shifted.x], [0, 0, 0, 0, 1, 2, 0, 4, 5]);
    const a = augmentImages(Float32Array.from({ length: 2 * 8 * 8 }, (_, i) => i % 7), 2, [8, 8, 1], { cropPadding: 1, flip: true, mixup: 0, rotation: 10, scale: 0.1 }, batchRandom(3, 9));
    const b = augmentImages(Float32Array.from({ length: 2 * 8 * 8 }, (_, i) => i % 7), 2, [8, 8, 1], { cropPadding: 1, flip: true, mixup: 0, rotation: 10, scale: 0.1 }, batchRandom(3, 9));
    assert.deepEqual(a, b, 'deterministic under a seed');
  });
});

describe('successive halving', () => {
  it('rungs keep the best 1/η at geometrically spaced epochs', () => {
    assert.deepEqual(halvingRungs(4, 8), [{ epoch: 2, keep: 2 }, { epoch: 4, keep: 1 }]);
    assert.deepEqual(halvingRungs(2, 6), [{ epoch: 3, keep: 1 }]);
    assert.deepEqual(halvingRungs(1, 8), [], 'a group of one never stops early');
    assert.deepEqual(halvingRungs(4, 1), [], 'one epoch leaves no room for rungs');
    assert.equal(halvingTrialEpochs(4, 8), 4 * 2 + 2 * 2 + 1 * 4);
    assert.equal(halvingTrialEpochs(1, 8), 8);
    assert.deepEqual(survivors([0.5, 0.9, 0.9, 0.1], 2), [1, 2], 'ties go to the earlier trial');
  });

  it('a budget buys the most epochs whose cost fits, and the same budget always the same epochs', () => {
    const groups = [{ trials: 2, secondsPerSample: 0.001 }, { trials: 1, secondsPerSample: 0.0005 }];
    const a = epochsWithinBudget(30, 1000, 0.0002, groups, 2);
    assert.deepEqual(a, epochsWithinBudget(30, 1000, 0.0002, groups, 2));
    assert.ok(a.seconds <= 30 && a.epochs >= 1);
    const more = epochsWithinBudget(60, 1000, 0.0002, groups, 2);
    assert.ok(more.epochs > a.epochs && more.seconds <= 60 && more.seconds > a.seconds, 'twice the budget buys more epochs');
    const tiny = epochsWithinBudget(0.5, 1000, 0.0002, groups, 2);
    assert.equal(tiny.epochs, 1);
    assert.ok(tiny.samplesPerEpoch < 1000, 'under one epoch the budget trains on fewer samples');
  });

  it('a budget gives each group an equal share, so a cheaper group trains more epochs, within the teacher\'s', () => {
    // One expensive student and one ten times cheaper: equal seconds buy the cheap one more epochs.
    const groups = [{ trials: 1, secondsPerSample: 0.002 }, { trials: 1, secondsPerSample: 0.0002 }];
    const plan = epochsWithinBudget(60, 1000, 0.0005, groups, 2);
    assert.equal(plan.groupEpochs.length, 2);
    assert.ok(plan.groupEpochs[1] > plan.groupEpochs[0], JSON.stringify(plan));
    assert.equal(plan.epochs, Math.max(...plan.groupEpochs), 'the teacher runs as long as the longest group, no longer');
    assert.ok(plan.seconds <= 60);
    // The shares are equal up to one epoch: the expensive group could not afford one more.
    const teacher = plan.epochs * (1000 * 0.0005 + Math.ceil(1000 / 64) * 0.002);
    const share = (60 - teacher) / 2;
    const cost = (g: { secondsPerSample: number }, e: number) => e * (1000 * g.secondsPerSample + Math.ceil(1000 / 64) * 0.004);
    assert.ok(cost(groups[0], plan.groupEpochs[0] + 1) > share && cost(groups[0], plan.groupEpochs[0]) <= share);
    // Equal students: equal epochs, as before.
    const same = epochsWithinBudget(60, 1000, 0.0005, [groups[0], groups[0]], 2);
    assert.equal(same.groupEpochs[0], same.groupEpochs[1]);
    assert.equal(same.groupEpochs[0], same.epochs);
    assert.ok(epochsWithinBudget(600, 1000, 0.0005, groups, 2).groupEpochs[1] >= plan.groupEpochs[1], 'more budget, no fewer epochs');
  });

  it('a group\'s weight scales its share of the students\' seconds', () => {
    const groups = [{ trials: 1, secondsPerSample: 0.002 }, { trials: 1, secondsPerSample: 0.002 }, { trials: 1, secondsPerSample: 0.0005 }];
    const equal = epochsWithinBudget(120, 1000, 0.0005, groups, 2);
    const heavy = epochsWithinBudget(120, 1000, 0.0005, groups.map((g, i) => (i === 2 ? { ...g, weight: 4 } : g)), 2);
    assert.ok(heavy.groupEpochs[2] > equal.groupEpochs[2], `the weighted group trains more epochs: ${JSON.stringify({ equal, heavy })}`);
    assert.ok(heavy.groupEpochs[0] <= equal.groupEpochs[0] && heavy.groupEpochs[1] <= equal.groupEpochs[1], 'at the others\' expense');
    assert.ok(heavy.seconds <= 120);
    assert.deepEqual(epochsWithinBudget(120, 1000, 0.0005, groups.map((g) => ({ ...g, weight: 1 })), 2), equal, 'weight 1 is the default');
  });
});

describe('joint distillation search', () => {
  let data: Dataset;
  let teacher: tf.LayersModel;
  before(async () => {
    await initEngine();
    data = quadrants(480, 7);
    teacher = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [8, 8, 1], filters: 16, kernelSize: 3, activation: 'relu', kernelInitializer: tf.initializers.heNormal({ seed: 1 }) }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 64, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
        tf.layers.dense({ units: 4, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) }),
      ],
    });
    await fit(teacher, data, { epochs: 3, batchSize: 32, validationSplit: null, seed: 1 });
  });

  it('derives students from the teacher\'s own architecture at a reduced width', async () => {
    const narrow = await narrowTeacher(tf, teacher, 0.5, 'narrow', 1);
    assert.deepEqual(narrow.layers.map((l) => l.getClassName()), teacher.layers.map((l) => l.getClassName()));
    assert.equal((narrow.layers[0].getConfig() as { filters: number }).filters, 8);
    assert.equal((narrow.layers[2].getConfig() as { units: number }).units, 32);
    assert.equal((narrow.layers[3].getConfig() as { units: number }).units, 4, 'the classifier keeps one unit per class');
    assert.ok(narrow.countParams() < teacher.countParams() / 3);
    const again = await narrowTeacher(tf, teacher, 0.5, 'narrow2', 1);
    assert.deepEqual(await narrow.layers[0].getWeights()[0].data(), await again.layers[0].getWeights()[0].data(), 'seeded initial weights');
    narrow.dispose();
    again.dispose();
  });

  it("starts a teacher-derived student from the teacher's channels of largest L1 norm (Add inputs ranked together)", async () => {
    // Before any training: the inherited student is the teacher structurally pruned, far above a
    // fresh one; a tiny residual net checks that the inputs of an Add keep the same channels.
    const evaluate = async (m: tf.LayersModel) => (await evaluateSplit(m, data, { split: 'train', fromLogits: false })).accuracy;
    const inherited = await narrowTeacher(tf, teacher, 0.75, 'inh', 1);
    assert.equal(inheritChannels(tf, teacher, inherited, 'inh_'), null);
    const fresh = await narrowTeacher(tf, teacher, 0.75, 'fresh', 1);
    const [t, i, f] = [await evaluate(teacher), await evaluate(inherited), await evaluate(fresh)];
    assert.ok(i > f + 0.2 && i > t - 0.25, `teacher ${t}, inherited ${i}, fresh ${f}`);
    // The kept filters are the teacher's largest: the first conv's L1 norms in the student are the top 12 of 16.
    const l1 = (w: tf.Tensor) => Array.from(tf.sum(tf.abs(w), [0, 1, 2]).dataSync()).sort((a, b) => b - a);
    assert.deepEqual(l1(inherited.layers[0].getWeights()[0]).map((v) => v.toFixed(4)), l1(teacher.layers[0].getWeights()[0]).slice(0, 12).map((v) => v.toFixed(4)));
    inherited.dispose();
    fresh.dispose();

    const input = tf.input({ shape: [8, 8, 1] });
    const c1 = tf.layers.conv2d({ filters: 8, kernelSize: 3, padding: 'same', name: 'c1', kernelInitializer: tf.initializers.heNormal({ seed: 7 }) }).apply(input) as tf.SymbolicTensor;
    const b1 = tf.layers.batchNormalization({ name: 'b1' }).apply(c1) as tf.SymbolicTensor;
    const c2 = tf.layers.conv2d({ filters: 8, kernelSize: 3, padding: 'same', name: 'c2', kernelInitializer: tf.initializers.heNormal({ seed: 8 }) }).apply(b1) as tf.SymbolicTensor;
    const sum = tf.layers.add({ name: 'sum' }).apply([b1, c2]) as tf.SymbolicTensor;
    const pooled = tf.layers.globalAveragePooling2d({ name: 'gap' }).apply(sum) as tf.SymbolicTensor;
    const out = tf.layers.dense({ units: 4, activation: 'softmax', name: 'out' }).apply(pooled) as tf.SymbolicTensor;
    const residual = tf.model({ inputs: input, outputs: out });
    const narrow = await narrowTeacher(tf, residual, 0.5, 'r', 1);
    try {
      assert.equal(inheritChannels(tf, residual, narrow, 'r_'), null);
      // Both Add inputs keep the same channels: c1's kept filters (found among the teacher's) and
      // c2's kept output channels are the same indices, and c2 reads exactly c1's kept channels.
      assert.equal(narrow.getLayer('r_out').getWeights()[0].shape[0], 4);
      const columns = (k: tf.Tensor) => (tf.transpose(k.reshape([-1, k.shape.at(-1)!])).arraySync() as number[][]).map((c) => c.map((v) => v.toFixed(5)).join());
      const t1 = columns(residual.getLayer('c1').getWeights()[0]);
      const kept = columns(narrow.getLayer('r_c1').getWeights()[0]).map((c) => t1.indexOf(c));
      assert.ok(kept.every((i) => i >= 0), `c1 filters come from the teacher: ${kept}`);
      const t2 = residual.getLayer('c2').getWeights()[0];
      const t2Kept = columns(tf.gather(t2, tf.tensor1d(kept, 'int32'), 2));
      const kept2 = columns(narrow.getLayer('r_c2').getWeights()[0]).map((c) => t2Kept.indexOf(c));
      assert.deepEqual(kept2, kept, 'c2 keeps the output channels c1 keeps (they meet in the Add)');
    } finally {
      narrow.dispose();
      residual.dispose();
    }
  });

  it('trains the generic fallback under the trial\'s name when the teacher cannot be narrowed, and fails without one', async () => {
    // No hidden conv/dense layer: nothing for a width to apply to.
    const linear = tf.sequential({ layers: [tf.layers.flatten({ inputShape: [8, 8, 1] }), tf.layers.dense({ units: 4, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 5 }) })] });
    const logs: string[] = [];
    const options = { temperature: 4, alpha: 0.3, epochs: 1, batchSize: 32, learningRate: 0.003, samplesPerEpoch: 64, seed: 0, halvingEta: 0, mixup: 0, recalibrationBatches: 0 };
    try {
      await assert.rejects(distillJointly(localContext(data, logs), linear, [{ teacherWidth: 0.5, group: 'g' }], options), /no hidden convolution or dense layer/);
      const result = await distillJointly(localContext(data, logs), linear, [
        { teacherWidth: 0.5, group: 'g', fallback: { width: 0.25, depth: 0.5, group: 'g', maxParamsFraction: 0.5 } },
      ], options);
      const [student] = result.students;
      try {
        assert.equal(student.name, 'student-g-teacher-w0.5', 'the planner picks the trial by this name');
        assert.equal(student.family, 'mobilenet');
        assert.equal(student.size?.depth, 0.5);
        assert.match(student.fallbackReason ?? '', /no hidden convolution or dense layer/);
        assert.ok(logs.some((l) => /cannot be narrowed to width 0.5 .* training the generic student student-g-w0.25-d0.5 in its place/.test(l)));
      } finally {
        student.model.dispose();
      }
      // A teacher that can be narrowed ignores the fallback.
      const derived = await distillJointly(localContext(data), teacher, [
        { teacherWidth: 0.5, group: 'g', fallback: { width: 0.25, depth: 0.5, group: 'g', maxParamsFraction: 0.5 } },
      ], options);
      assert.equal(derived.students[0].family, 'teacher-derived');
      assert.equal(derived.students[0].fallbackReason, undefined);
      derived.students[0].model.dispose();
    } finally {
      linear.dispose();
    }
  });

  it('under a budget a cheap group trains more epochs than an expensive one, each on its own schedule', async () => {
    const logs: string[] = [];
    const progress: ProgressUpdate[] = [];
    const result = await distillJointly(localContext(data, logs, progress), teacher, [
      { teacherWidth: 1, group: 'wide' },
      { teacherWidth: 0.125, group: 'narrow' },
    ], { temperature: 4, alpha: 0.3, epochs: 1, budgetSeconds: 0.6, batchSize: 32, learningRate: 0.003, samplesPerEpoch: 0, seed: 0, halvingEta: 2, cropPadding: 0, flip: 'never', mixup: 0, recalibrationBatches: 0, warmup: 0, learningRateSchedule: 'cosine' });
    try {
      const [wide, narrow] = result.students;
      assert.ok(narrow.plannedEpochs > wide.plannedEpochs, `${wide.plannedEpochs} vs ${narrow.plannedEpochs}: ${logs.join(' | ')}`);
      assert.equal(result.plannedEpochs, narrow.plannedEpochs);
      assert.equal(result.epochsCompleted, narrow.plannedEpochs);
      assert.equal(wide.epochsTrained, wide.plannedEpochs, 'the wide student stops after its own epochs');
      assert.equal(narrow.epochsTrained, narrow.plannedEpochs);
      assert.ok(!wide.stoppedEarly && !narrow.stoppedEarly, 'finishing its share is not an early stop');
      assert.ok(logs.some((l) => /per group: wide \d+, narrow \d+/.test(l)));
      // The cost charged step by step (only the trials that trained) is what the plan priced: the
      // wide student did not train past its share.
      const charged = progress.at(-1)!.metrics!.budgetUsedSeconds as number;
      assert.ok(Math.abs(charged - result.plannedSeconds) < 1e-6 * Math.max(1, result.plannedSeconds) && charged <= 0.6, `${charged} vs ${result.plannedSeconds}`);
    } finally {
      for (const st of result.students) st.model.dispose();
    }
  });

  it('stops the weaker trials of a group early, keeps each as a candidate, and trains the group winner to the end', async () => {
    const logs: string[] = [];
    const progress: ProgressUpdate[] = [];
    const result = await distillJointly(localContext(data, logs, progress), teacher, [
      { width: 1, depth: 1, group: 'g' },
      { teacherWidth: 0.5, group: 'g' },
      { width: 0.25, depth: 0.5, resolution: 0.5, group: 'g' },
      { width: 0.5, depth: 0.5 },
    ], { temperature: 4, alpha: 0.3, epochs: 4, batchSize: 32, learningRate: 0.003, samplesPerEpoch: 0, seed: 0, halvingEta: 2, cropPadding: 1, flip: 'never', mixup: 0.5, recalibrationBatches: 2, warmup: 0.1, learningRateSchedule: 'cosine' });
    try {
      const group = result.students.filter((s) => s.group === 'g');
      assert.equal(group.length, 3);
      const full = group.filter((s) => !s.stoppedEarly);
      assert.equal(full.length, 1, 'one winner per group trains all epochs');
      assert.equal(full[0].epochsTrained, 4);
      for (const loser of group.filter((s) => s.stoppedEarly)) {
        assert.ok(loser.epochsTrained < 4);
        assert.ok(loser.rungAccuracies.length >= 1);
      }
      // The winner scored at least as well as each loser at the rung that stopped it.
      const stopped = group.filter((s) => s.stoppedEarly);
      for (const loser of stopped) {
        const rung = loser.rungAccuracies.length - 1;
        assert.ok(full[0].rungAccuracies[rung] >= loser.rungAccuracies[rung]);
      }
      const alone = result.students.find((s) => s.group !== 'g')!;
      assert.equal(alone.stoppedEarly, false, 'a group of one is never stopped');
      assert.ok(logs.some((l) => /successive halving, group g/.test(l)));
      assert.equal(result.augmentation?.cropPadding, 1);
      // Progress shows the budget spent, epoch by epoch, growing.
      const spent = progress.filter((p) => p.metrics?.budgetUsedSeconds !== undefined).map((p) => p.metrics!.budgetUsedSeconds);
      assert.equal(spent.length, 4);
      assert.ok(spent.every((v, i) => i === 0 || v > spent[i - 1]));
      assert.match(progress.at(-1)!.message!, /^budget: \d+ of \d+ s spent \(cost model\)/);
    } finally {
      for (const s of result.students) s.model.dispose();
    }
  });
});

describe("the 'self' student (prune → distill)", () => {
  it('distils the model the step received from the teacher, in place', async () => {
    await initEngine();
    const data = quadrants(160, 7);
    const build = (seed: number) => tf.sequential({
      layers: [
        tf.layers.flatten({ inputShape: [8, 8, 1] }),
        tf.layers.dense({ units: 16, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed }) }),
        tf.layers.dense({ units: 4, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }) }),
      ],
    });
    const teacher = build(1);
    await fit(teacher, data, { epochs: 2, batchSize: 32, validationSplit: null, seed: 1 });
    const received = build(5);
    const before = Array.from(await received.layers[1].getWeights()[0].data());
    const ctx = { ...localContext(data), model: received };
    const result = await distillJointly(ctx, teacher, ['self'], { temperature: 4, alpha: 0.3, epochs: 1, batchSize: 32, learningRate: 0.003, samplesPerEpoch: 0, seed: 0 });
    assert.equal(result.students.length, 1);
    assert.equal(result.students[0].name, 'student-self');
    assert.equal(result.students[0].family, 'self');
    assert.equal(result.students[0].model, received, 'the received model itself, trained');
    const after = Array.from(await received.layers[1].getWeights()[0].data());
    assert.ok(after.some((v, i) => v !== before[i]));
    await assert.rejects(distillJointly(localContext(data), teacher, ['self'], { temperature: 4, alpha: 0.3, epochs: 1, batchSize: 32, learningRate: 0.003, samplesPerEpoch: 0, seed: 0 }), /the 'self' student needs the model this step received/);
    teacher.dispose();
    received.dispose();
  });
});

describe('BatchNorm recalibration', () => {
  /** Two features with means ≈ 3.46 and ≈ −1.53 into a batch norm and a dense layer. */
  const batchNormTask = () => {
    const n = 256;
    const x = Float32Array.from({ length: n * 2 }, (_, i) => (i % 2 === 0 ? 3 + ((i * 7919) % 13) / 13 : -2 + ((i * 104729) % 17) / 17));
    const data = datasetFromArrays(x, new Int32Array(n).map((_, i) => i % 2), [2], { seed: 1 });
    const input = tf.input({ shape: [2] });
    const bn = tf.layers.batchNormalization({ name: 'bn' });
    const model = tf.model({ inputs: input, outputs: tf.layers.dense({ units: 2 }).apply(bn.apply(input)) as tf.SymbolicTensor });
    return { data, bn, model };
  };

  it('sets each BN layer\'s moving statistics to the mean batch statistics of clean training data', async () => {
    await initEngine();
    const { data, bn, model } = batchNormTask();
    const count = await recalibrateBatchNorm(localContext(data), model, { batches: 4, batchSize: 32, seed: 0 });
    assert.equal(count, 1);
    const mean = await bn.getWeights()[2].data();
    // The two features' means are ≈ 3.46 and ≈ −1.53 (the moving mean starts at 0).
    assert.ok(Math.abs(mean[0] - 3.46) < 0.15, `mean ${mean[0]}`);
    assert.ok(Math.abs(mean[1] + 1.53) < 0.15, `mean ${mean[1]}`);
    model.dispose();
  });

  it('keeps the recalibrated statistics only when the held-out score does not fall', async () => {
    await initEngine();
    const { data, bn, model } = batchNormTask();
    const statistics = async () => [...(await bn.getWeights()[2].data()), ...(await bn.getWeights()[3].data())];
    const moving = await statistics();
    // The score falls after recalibration: the moving statistics come back exactly.
    const falling = [0.8, 0.7];
    const worse = await recalibrateWhereItHelps(localContext(data), model, { batches: 4, batchSize: 32, seed: 0 }, async () => falling.shift()!);
    assert.deepEqual(worse, { before: 0.8, after: 0.7, kept: false });
    assert.deepEqual(await statistics(), moving);
    // It holds or rises: the recalibrated ones stay (the feature means ≈ 3.46 and ≈ −1.53).
    const holding = [0.8, 0.8];
    const same = await recalibrateWhereItHelps(localContext(data), model, { batches: 4, batchSize: 32, seed: 0 }, async () => holding.shift()!);
    assert.deepEqual(same, { before: 0.8, after: 0.8, kept: true });
    const [m0, m1] = await statistics();
    assert.ok(Math.abs(m0! - 3.46) < 0.15 && Math.abs(m1! + 1.53) < 0.15, `means ${m0}, ${m1}`);
    // A model without batch norm: nothing to do, the score is not asked for.
    const plain = tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [2] })] });
    assert.equal(await recalibrateWhereItHelps(localContext(data), plain, { batches: 4, batchSize: 32, seed: 0 }, () => assert.fail('no score without batch norm')), null);
    model.dispose();
    plain.dispose();
  });
});

describe('the plain CNN student (family cnn)', () => {
  before(async () => { await initEngine(); });

  it('is 3×3 convolution + max-pool stages and a flatten head, no batch norm, narrowed to fit', () => {
    const built = buildStudent(tf, [28, 28, 1], 10, { width: 1, depth: 1, family: 'cnn' }, 'cnn', 1);
    assert.equal(built.family, 'cnn');
    const classes = built.model.layers.map((l) => l.getClassName());
    assert.equal(classes.filter((c) => c === 'Conv2D').length, 3);
    assert.equal(classes.filter((c) => c === 'MaxPooling2D').length, 3);
    assert.ok(classes.includes('Flatten') && !classes.includes('BatchNormalization') && !classes.includes('DepthwiseConv2D'), classes.join(', '));
    assert.deepEqual(built.model.outputs[0].shape, [null, 10]);
    // 28 → 14 → 7 → 3: a 3×3×64 map flattened into the logits.
    assert.equal(built.model.countParams(), (9 * 1 + 1) * 32 + (9 * 32 + 1) * 64 + (9 * 64 + 1) * 64 + (3 * 3 * 64 + 1) * 10);
    const p = tf.tidy(() => built.model.predict(tf.ones([2, 28, 28, 1])) as tf.Tensor);
    const sums = tf.tidy(() => tf.sum(p, -1).arraySync() as number[]);
    p.dispose();
    for (const v of sums) assert.ok(Math.abs(v - 1) < 1e-5, 'outputs probabilities');
    built.model.dispose();
    // Half depth: fewer stages; a large final map is averaged instead of flattened.
    const shallow = buildStudent(tf, [28, 28, 1], 10, { width: 0.5, depth: 0.34, family: 'cnn' }, 'shallow', 1);
    assert.equal(shallow.model.layers.filter((l) => l.getClassName() === 'Conv2D').length, 1);
    assert.ok(shallow.model.layers.some((l) => l.getClassName() === 'GlobalAveragePooling2D'), '14×14 is pooled');
    shallow.model.dispose();
    // The planner's sixteenth tier: at most 4 % of a 225,034-parameter teacher.
    const images = datasetFromArrays(new Float32Array(10 * 784), Int32Array.from({ length: 10 }, (_, i) => i), [28, 28, 1]);
    const [small] = buildStudents({ tf, data: images } as never, [{ width: 1, depth: 1, family: 'cnn', group: 'sixteenth', maxParamsFraction: 0.04 }], 0, 0.04 * 225_034);
    assert.ok(small.model.countParams() <= 0.04 * 225_034 && small.model.countParams() > 0.02 * 225_034, String(small.model.countParams()));
    assert.equal(small.name, 'student-sixteenth-cnn-w1-d1');
    small.model.dispose();
    assert.equal(studentName({ width: 1, depth: 1 }), 'student-w1-d1', 'MobileNet-style names are unchanged');
    const size = (configSchema.properties as Record<string, { items: { anyOf: Array<{ properties?: Record<string, { enum?: unknown[] }> }> } }>).students.items.anyOf[1];
    assert.deepEqual(size.properties!.family.enum, ['mobilenet', 'cnn']);
  });
});
