// The distillation plugin: joint training of several students from one teacher forward pass per
// batch, student families by input rank, candidates through the real plugin host.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import distillation, { buildStudent, buildStudents, scheduledLearningRate, distillJointly, timeJointVsSingle } from '@condense/plugin-distillation';
import { initEngine, tf } from '../../services/engine/backend/index.ts';
import type { Dataset } from '../../services/engine/data/index.ts';
import { evaluateSplit, fit } from '../../services/engine/train/index.ts';
import { createPluginHost, deserializeModel, type PluginHost } from '../../services/plugins/index.ts';
import { clusters } from '../engine/train_helpers.ts';
import { localContext, quadrants } from '../helpers/distillation-fixtures.ts';

/** A one-hidden-layer teacher; wide, so the default students stay under half its parameters. */
async function trainTeacher(data: Dataset, hidden = 1024): Promise<tf.LayersModel> {
  const shape = data.info.inputShape;
  const teacher = tf.sequential({
    layers: [
      tf.layers.inputLayer({ inputShape: shape }),
      ...(shape.length > 1 ? [tf.layers.flatten()] : []),
      tf.layers.dense({ units: hidden, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }),
      tf.layers.dense({ units: data.info.numClasses, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
    ],
  });
  await fit(teacher, data, { epochs: 4, batchSize: 32, validationSplit: null, seed: 1 });
  return teacher;
}

const options = { temperature: 4, alpha: 0.3, epochs: 4, batchSize: 32, learningRate: 0.002, samplesPerEpoch: 0, seed: 0 };

describe('distillation plugin', () => {
  let images: Dataset;
  let imageTeacher: tf.LayersModel;
  let host: PluginHost;

  before(async () => {
    await initEngine();
    images = quadrants(1200);
    imageTeacher = await trainTeacher(images);
    host = await createPluginHost();
  });
  after(() => imageTeacher.dispose());

  it('builds MobileNet-style students for images and MLPs for vectors, sized by width and depth', () => {
    const ctx = localContext(images);
    const [large, small] = buildStudents(ctx, ['large', { width: 0.25, depth: 0.5 }], 0);
    const classes = new Set(large.model.layers.map((l) => l.getClassName()));
    for (const c of ['Conv2D', 'DepthwiseConv2D', 'BatchNormalization', 'Dense']) assert.ok(classes.has(c), `large student has ${c}`);
    // 8×8 inputs end in a 2×2 map, which is flattened rather than averaged.
    assert.ok(classes.has('Flatten') && !classes.has('GlobalAveragePooling2D'));
    const wide = buildStudent(tf, [64, 64, 3], 10, { width: 0.25, depth: 0.5 }, 'wide', 0);
    assert.ok(wide.model.layers.some((l) => l.getClassName() === 'GlobalAveragePooling2D'), 'an 8×8 final map is pooled');
    wide.model.dispose();
    assert.equal(large.family, 'mobilenet');
    assert.equal(small.name, 'student-w0.25-d0.5');
    assert.ok(small.model.countParams() * 4 < large.model.countParams(), 'width 0.25 is far smaller');
    const depthwise = (m: tf.LayersModel) => m.layers.filter((l) => l.getClassName() === 'DepthwiseConv2D').length;
    assert.ok(depthwise(small.model) < depthwise(large.model), 'depth 0.5 has fewer blocks');
    assert.equal(large.model.layers.at(-1)!.getClassName(), 'Activation', 'the deliverable ends in softmax');
    for (const s of [large, small]) s.model.dispose();

    const vectors = localContext(clusters(100, 12, 3));
    const [mlp] = buildStudents(vectors, ['medium'], 0);
    assert.equal(mlp.family, 'mlp');
    assert.deepEqual([...new Set(mlp.model.layers.map((l) => l.getClassName()))].sort(), ['Activation', 'Dense', 'InputLayer']);
    mlp.model.dispose();
  });

  it('medium and small presets see the input at half resolution (MobileNet\'s ρ), inside the model', () => {
    const [large, medium] = buildStudents(localContext(images), ['large', 'medium'], 0);
    const pools = (m: tf.LayersModel) => m.layers.filter((l) => l.getClassName() === 'AveragePooling2D');
    assert.equal(pools(large.model).length, 0);
    assert.equal(pools(medium.model).length, 1);
    assert.deepEqual(pools(medium.model)[0].outputShape, [null, 4, 4, 1], '8×8 inputs pooled to 4×4');
    assert.deepEqual(medium.model.inputs[0].shape, [null, 8, 8, 1], 'the exported model takes the full-size input');
    for (const s of [large, medium]) s.model.dispose();
  });

  it('decays the learning rate along a half cosine, or keeps it constant', () => {
    assert.equal(scheduledLearningRate(0.004, 'cosine', 0, 100), 0.004);
    assert.ok(Math.abs(scheduledLearningRate(0.004, 'cosine', 50, 100) - 0.002) < 1e-12);
    assert.ok(scheduledLearningRate(0.004, 'cosine', 100, 100) < 1e-12);
    assert.ok(scheduledLearningRate(0.004, 'cosine', 25, 100) > scheduledLearningRate(0.004, 'cosine', 75, 100));
    assert.equal(scheduledLearningRate(0.004, 'constant', 99, 100), 0.004);
  });

  it('narrows a student that would outgrow half its teacher, and only that one', () => {
    const ctx = localContext(images);
    const [large, small] = buildStudents(ctx, ['large', 'small'], 0, 20_000);
    assert.ok(large.size.width < 1, `large was narrowed to width ${large.size.width}`);
    assert.ok(large.model.countParams() <= 20_000, `${large.model.countParams()} parameters`);
    assert.deepEqual(small.size, { width: 0.25, depth: 0.5, resolution: 0.5 }, 'small already fits');
    for (const s of [large, small]) s.model.dispose();
  });

  it('trains three students jointly with ONE teacher forward pass per batch, and they learn', async () => {
    const ctx = localContext(images);
    let teacherCalls = 0;
    const original = imageTeacher.apply.bind(imageTeacher);
    imageTeacher.apply = ((...args: Parameters<typeof original>) => {
      teacherCalls += 1;
      return original(...args);
    }) as typeof imageTeacher.apply;
    let result;
    try {
      result = await distillJointly(ctx, imageTeacher, ['large', 'medium', 'small'], options);
    } finally {
      imageTeacher.apply = original;
    }
    const batches = Math.ceil(images.info.splits.train / options.batchSize) * options.epochs;
    assert.equal(teacherCalls, batches, 'the teacher runs once per batch, not once per student');
    assert.deepEqual(result.students.map((s) => s.name), ['student-large', 'student-medium', 'student-small']);
    assert.ok(result.students[0].params > result.students[1].params && result.students[1].params > result.students[2].params);
    for (const s of result.students) {
      const { accuracy } = await evaluateSplit(s.model, images, { split: 'validation', fromLogits: false });
      assert.ok(accuracy > 0.9, `${s.name} validation accuracy ${accuracy}`);
      s.model.dispose();
    }
  });

  it('times joint training against the largest student alone', async () => {
    const timing = await timeJointVsSingle(localContext(images), imageTeacher, ['small', 'large'], { ...options, epochs: 1 });
    assert.equal(timing.largest, 'student-large');
    assert.ok(timing.jointSeconds > 0 && timing.singleSeconds > 0);
    assert.ok(Math.abs(timing.ratio - timing.jointSeconds / timing.singleSeconds) < 1e-9);
  });

  it('returns one candidate per student through the plugin host, with params and validation accuracy', async () => {
    const vectors = clusters(600, 12, 3);
    const teacher = await trainTeacher(vectors);
    const result = await host.invoke('distillation', { model: teacher, data: vectors, config: { students: ['large', { width: 0.25, depth: 0.34 }], epochs: 3 }, targets: ['cpu-int8'] });
    teacher.dispose();
    assert.deepEqual(result.failures, []);
    assert.deepEqual(result.candidates.map((c) => c.name), ['student-large', 'student-w0.25-d0.34']);
    for (const c of result.candidates) {
      assert.ok(c.metrics!.params > 0);
      assert.ok(c.metrics!.validationAccuracy > 0.8, `${c.name}: ${c.metrics!.validationAccuracy}`);
      assert.equal(c.metrics!.studentsTrainedJointly, 2);
      const model = await deserializeModel(c.model);
      assert.equal(model.countParams(), c.metrics!.params);
      model.dispose();
    }
    assert.deepEqual(result.config.students, ['large', { width: 0.25, depth: 0.34 }]);
    assert.equal(result.config.temperature, 4, 'defaults are filled');
  });

  it('refuses bad configs and text data with one clear line', async () => {
    assert.equal(distillation.manifest.kind, 'distillation');
    assert.throws(() => host.validateConfig('distillation', { temperature: 0 }), /temperature/);
    assert.throws(() => host.validateConfig('distillation', { students: ['huge'] }), /students/);
    const texts = { info: { ...clusters(10, 2, 2).info, kind: 'text' as const, inputShape: [] }, batches: clusters(10, 2, 2).batches };
    const m = tf.sequential({ layers: [tf.layers.dense({ inputShape: [2], units: 2, activation: 'softmax' })] });
    const result = await host.invoke('distillation', { model: m, data: texts, config: { epochs: 1 } });
    m.dispose();
    assert.equal(result.candidates.length, 0);
    assert.equal(result.failures[0]?.reason, 'threw');
    assert.match(result.failures[0].message, /distillation needs a tensor dataset/);
  });
});
