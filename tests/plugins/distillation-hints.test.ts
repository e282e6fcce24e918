// FitNets hints (plugins/distillation/src/hints.ts): the teacher's middle layer is the hint, the
// teacher-derived student's matching layer learns it through a 1×1 regressor where the widths
// differ; the gradient reaches the guided layer and the regressor (not the layers after the
// guided one), the hint loss falls when trained, and the joint loop uses hints only for students
// that follow the teacher's layers.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { buildHint, distillJointly, hintLayerName, hintLoss, narrowTeacher, withFeature } from '@condense/plugin-distillation';
import { initEngine, tf } from '../../services/engine/backend/index.ts';
import type { Dataset } from '../../services/engine/data/index.ts';
import { fit } from '../../services/engine/train/index.ts';
import { localContext, quadrants } from '../helpers/distillation-fixtures.ts';

describe('FitNets hints', () => {
  let data: Dataset;
  let teacher: tf.LayersModel;
  let images: tf.Tensor;
  before(async () => {
    await initEngine();
    data = quadrants(320, 11);
    teacher = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [8, 8, 1], filters: 16, kernelSize: 3, activation: 'relu', kernelInitializer: tf.initializers.heNormal({ seed: 1 }), name: 'conv_a' }),
        tf.layers.conv2d({ filters: 16, kernelSize: 3, activation: 'relu', kernelInitializer: tf.initializers.heNormal({ seed: 4 }), name: 'conv_b' }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 32, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }), name: 'hidden' }),
        tf.layers.dense({ units: 4, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }), name: 'classes' }),
      ],
    });
    await fit(teacher, data, { epochs: 2, batchSize: 32, validationSplit: null, seed: 1 });
    const xs: number[] = [];
    for await (const b of data.batches('train', 64, { limit: 64 })) xs.push(...b.x!);
    images = tf.tensor(xs, [64, 8, 8, 1]);
  });

  it('takes the middle hidden layer of the teacher as the hint (the classifier is not a candidate)', () => {
    assert.equal(hintLayerName(teacher), 'conv_b');
  });

  it('sends the gradient to the guided layer and the regressor, not to the layers after the guided one', async () => {
    const student = await narrowTeacher(tf, teacher, 0.5, 'thin', 3);
    const hint = buildHint(tf, student, 'thin_conv_b', [4, 4, 16], 5);
    try {
      assert.ok(hint.regressor, 'widths 8 and 16 differ: a 1×1 regressor maps them');
      assert.deepEqual(hint.regressor.kernel.shape, [8, 16]);
      const teacherFeature = tf.tidy(() => (withFeature(tf, teacher, 'conv_b').apply(images) as tf.Tensor[])[1]!);
      const vars = [...student.trainableWeights.map((w) => w.read() as tf.Variable), hint.regressor.kernel, hint.regressor.bias];
      const { value, grads } = tf.variableGrads(() => {
        const [, feature] = hint.model.apply(images, { training: true }) as tf.Tensor[];
        return hintLoss(tf, hint, feature!, teacherFeature, 1) as tf.Scalar;
      }, vars);
      assert.ok((await value.data())[0] > 0);
      const norm = async (name: string) => {
        const g = grads[name];
        return g ? (await tf.norm(g).data())[0] : 0;
      };
      const guidedKernel = student.getLayer('thin_conv_b').getWeights()[0]!;
      const classifierKernel = student.getLayer('thin_classes').getWeights()[0]!;
      assert.ok((await norm((guidedKernel as tf.Variable).name)) > 0, 'the guided layer learns from the hint');
      assert.ok((await norm((student.getLayer('thin_conv_a').getWeights()[0] as tf.Variable).name)) > 0, 'and so does the layer before it');
      assert.ok((await norm(hint.regressor.kernel.name)) > 0, 'the regressor learns');
      assert.equal(await norm((classifierKernel as tf.Variable).name), 0, 'layers after the guided one get nothing from the hint');
      tf.dispose([value, teacherFeature, ...Object.values(grads)]);
    } finally {
      hint.regressor?.kernel.dispose();
      hint.regressor?.bias.dispose();
      student.dispose();
    }
  });

  it('the hint loss falls as the student and regressor train on it', async () => {
    const student = await narrowTeacher(tf, teacher, 0.5, 'fit', 7);
    const hint = buildHint(tf, student, 'fit_conv_b', [4, 4, 16], 9);
    const optimizer = tf.train.adam(0.01);
    try {
      const teacherFeature = tf.tidy(() => (withFeature(tf, teacher, 'conv_b').apply(images) as tf.Tensor[])[1]!);
      const vars = [...student.trainableWeights.map((w) => w.read() as tf.Variable), hint.regressor!.kernel, hint.regressor!.bias];
      const losses: number[] = [];
      for (let i = 0; i < 60; i++) {
        const loss = optimizer.minimize(() => {
          const [, feature] = hint.model.apply(images, { training: true }) as tf.Tensor[];
          return hintLoss(tf, hint, feature!, teacherFeature, 1) as tf.Scalar;
        }, true, vars)!;
        losses.push((await loss.data())[0]);
        loss.dispose();
      }
      assert.ok(losses.at(-1)! < losses[0]! * 0.5, `hint loss ${losses[0]} → ${losses.at(-1)}`);
      teacherFeature.dispose();
    } finally {
      optimizer.dispose();
      hint.regressor?.kernel.dispose();
      hint.regressor?.bias.dispose();
      student.dispose();
    }
  });

  it('the joint loop hints the teacher-derived student only, and it still learns the task', async () => {
    const logs: string[] = [];
    const result = await distillJointly(localContext(data, logs), teacher, [{ teacherWidth: 0.5 }, { width: 0.25, depth: 0.5 }], {
      temperature: 4, alpha: 0.3, epochs: 2, batchSize: 32, learningRate: 0.003, samplesPerEpoch: 0, seed: 0, hintWeight: 1, recalibrationBatches: 0,
    });
    try {
      const derived = result.students.find((s) => s.family === 'teacher-derived')!;
      const generic = result.students.find((s) => s.family !== 'teacher-derived')!;
      assert.deepEqual(derived.hint, { teacherLayer: 'conv_b', studentLayer: 'student_teacher_w0_5_conv_b', regressor: true });
      assert.equal(generic.hint, undefined, 'a MobileNet-style student has no layer matching the teacher');
      assert.ok(logs.some((l) => /FitNets hints \(β 1\) from teacher layer conv_b for student-teacher-w0\.5 \(1×1 regressor 8→16\)/.test(l)), logs.join('\n'));
      const accuracy = tf.tidy(() => {
        const predicted = tf.argMax(derived.model.predict(images) as tf.Tensor, -1);
        const truth = tf.argMax(teacher.predict(images) as tf.Tensor, -1);
        return tf.mean(tf.cast(tf.equal(predicted, truth), 'float32'));
      });
      assert.ok((await accuracy.data())[0] > 0.5, 'agrees with the teacher far above chance (0.25)');
      accuracy.dispose();
    } finally {
      for (const s of result.students) s.model.dispose();
    }
  });
});
