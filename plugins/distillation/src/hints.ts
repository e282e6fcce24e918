// FitNets hints (Romero, Ballas, Kahou, Chassang, Gatta & Bengio 2015, "FitNets: Hints for Thin
// Deep Nets", arXiv 1412.6550): besides the teacher's soft labels, a student whose architecture
// follows the teacher's learns to reproduce the output of one of the teacher's middle layers (the
// hint) at its own corresponding layer (the guided layer). Where the two widths differ, a 1×1
// convolution (a Dense layer for vectors) — the regressor — maps the student's channels to the
// teacher's; it is trained with the student and dropped afterwards.
//
// As the paper's second stage does, the hint term here is added to the distillation loss and
// trained in the same loop (not in a separate first stage). The squared error is divided by the
// mean square of the teacher's feature, so the weight β does not depend on the feature scale.
import type { LayersModel, Tensor, Tf, Variable } from '@condense/plugin-sdk';

const WIDTH_CLASSES = new Set(['Conv1D', 'Conv2D', 'SeparableConv2D', 'DepthwiseConv2D', 'Dense']);

/** The teacher's hint layer: the middle of its hidden convolution / dense layers (the classifier excluded). */
export function hintLayerName(teacher: LayersModel): string | undefined {
  const hidden = teacher.layers.filter((l) => WIDTH_CLASSES.has(l.getClassName())).slice(0, -1);
  if (hidden.length === 0) return undefined;
  return hidden[Math.floor((hidden.length - 1) / 2)]!.name;
}

/** A model with the same input and weights as `model`, returning [its output, layer `name`'s output]. */
export function withFeature(tf: Tf, model: LayersModel, name: string): LayersModel {
  const layer = model.getLayer(name);
  return tf.model({ inputs: model.inputs, outputs: [model.outputs[0]!, layer.output as never], name: `${model.name}_hint_${name}` });
}

export interface Hint {
  /** Student input → [its loss output, its guided layer's output]. */
  model: LayersModel;
  /** The 1×1 regressor (student channels → teacher channels); absent when the widths are equal. */
  regressor?: { kernel: Variable; bias: Variable };
  studentChannels: number;
  teacherChannels: number;
}

/**
 * The hint of one student: its layer `guided` is taught the teacher feature of shape
 * `teacherShape` (without batch). The spatial shapes must match (a student derived from the
 * teacher or the pruned teacher keeps them); only the channel count may differ.
 */
export function buildHint(tf: Tf, student: LayersModel, guided: string, teacherShape: readonly number[], seed: number): Hint {
  const model = withFeature(tf, student, guided);
  const studentShape = (model.outputs[1]!.shape as number[]).slice(1);
  const same = studentShape.length === teacherShape.length && studentShape.slice(0, -1).every((d, i) => d === teacherShape[i]);
  if (!same) throw new Error(`hint: the student's layer ${guided} has shape [${studentShape.join(', ')}], the teacher's hint [${teacherShape.join(', ')}]`);
  const studentChannels = studentShape.at(-1)!;
  const teacherChannels = teacherShape.at(-1)!;
  if (studentChannels === teacherChannels) return { model, studentChannels, teacherChannels };
  const kernel = tf.variable(tf.initializers.glorotUniform({ seed }).apply([studentChannels, teacherChannels]) as Tensor, true, `${student.name}_hint_regressor_kernel`);
  const bias = tf.variable(tf.zeros([teacherChannels]), true, `${student.name}_hint_regressor_bias`);
  return { model, regressor: { kernel, bias }, studentChannels, teacherChannels };
}

/** β · ‖r(student feature) − teacher feature‖² / ‖teacher feature‖² (means over every value). */
export function hintLoss(tf: Tf, hint: Hint, studentFeature: Tensor, teacherFeature: Tensor, weight: number): Tensor {
  return tf.tidy(() => {
    let mapped = studentFeature;
    if (hint.regressor) {
      // A 1×1 convolution is a matrix product over the channel axis at every position.
      const flat = tf.reshape(studentFeature, [-1, hint.studentChannels]);
      mapped = tf.reshape(tf.add(tf.matMul(flat, hint.regressor.kernel), hint.regressor.bias), teacherFeature.shape);
    }
    const error = tf.mean(tf.square(tf.sub(mapped, teacherFeature)));
    const scale = tf.add(tf.mean(tf.square(teacherFeature)), 1e-6);
    return tf.mul(weight, tf.div(error, scale));
  });
}

export function disposeHint(hint: Hint | undefined): void {
  hint?.regressor?.kernel.dispose();
  hint?.regressor?.bias.dispose();
}
