// Classification and distillation losses; all return a scalar mean over the batch.
import { tf } from '../backend/index.ts';

const EPSILON = 1e-7;

/**
 * Per-class log-probabilities [n, classes] of a classifier's output. An output of width 1 is a
 * binary classifier's P(class 1) (or its logit when `fromLogits`): it becomes the two columns
 * [log(1 − p), log p], so every loss below treats sigmoid and softmax binary classifiers alike.
 */
export function classLogProbabilities(output: tf.Tensor, fromLogits: boolean): tf.Tensor {
  return tf.tidy(() => {
    if (output.shape[output.rank - 1] !== 1) return logProbabilities(output, fromLogits);
    if (fromLogits) return tf.concat([tf.logSigmoid(tf.neg(output)), tf.logSigmoid(output)], -1);
    const p = tf.clipByValue(output, EPSILON, 1 - EPSILON);
    return tf.concat([tf.log(tf.sub(1, p)), tf.log(p)], -1);
  });
}

/** Log-probabilities from logits, or from probabilities (clipped so log stays finite). */
export function logProbabilities(output: tf.Tensor, fromLogits: boolean): tf.Tensor {
  return fromLogits ? tf.logSoftmax(output) : tf.log(tf.clipByValue(output, EPSILON, 1));
}

/** Cross-entropy against integer labels `labels` (int32 [n]) for `output` [n, classes]; an
 * output of width 1 (one sigmoid unit) gives binary cross-entropy. */
export function sparseCategoricalCrossEntropy(output: tf.Tensor, labels: tf.Tensor, fromLogits = true): tf.Scalar {
  return tf.tidy(() => {
    const logp = classLogProbabilities(output, fromLogits);
    const onehot = tf.oneHot(tf.cast(labels, 'int32'), logp.shape[logp.rank - 1]);
    return tf.neg(tf.mean(tf.sum(tf.mul(onehot, logp), -1))) as tf.Scalar;
  });
}

export interface DistillationOptions {
  /** Softening temperature T (> 0). */
  temperature: number;
  /** Weight of the hard-label cross-entropy; the soft term gets 1 − alpha. */
  alpha: number;
  /** Whether the student output is logits (default true) or probabilities. */
  studentFromLogits?: boolean;
  /** Whether the teacher output is logits (default true) or probabilities. */
  teacherFromLogits?: boolean;
}

/**
 * Knowledge distillation (Hinton, Vinyals & Dean 2015, "Distilling the Knowledge in a Neural
 * Network"): alpha·CE(labels, student) + (1 − alpha)·T²·KL(teacher_T ‖ student_T), where _T is
 * the softmax at temperature T. T² keeps the soft term's gradient scale independent of T.
 * Probabilities are turned into logits via log, which softmax maps back exactly at T = 1. A
 * one-unit sigmoid output (either side) counts as the two classes [1 − p, p]: binary soft targets.
 * Gradients flow only to the variables the caller's optimizer updates (pass the student's).
 */
export function distillationLoss(
  studentOutput: tf.Tensor, teacherOutput: tf.Tensor, labels: tf.Tensor, options: DistillationOptions,
): tf.Scalar {
  const { temperature: t, alpha } = options;
  if (!(t > 0)) throw new Error(`distillation temperature must be > 0, got ${t}`);
  if (!(alpha >= 0 && alpha <= 1)) throw new Error(`distillation alpha must be in [0, 1], got ${alpha}`);
  return tf.tidy(() => {
    const studentLogits = classLogProbabilities(studentOutput, options.studentFromLogits ?? true);
    const teacherLogits = classLogProbabilities(teacherOutput, options.teacherFromLogits ?? true);
    if (studentLogits.shape[1] !== teacherLogits.shape[1]) {
      throw new Error(`student scores ${studentLogits.shape[1]} classes but the teacher ${teacherLogits.shape[1]}`);
    }
    const hard = sparseCategoricalCrossEntropy(studentLogits, labels, true);
    const logPt = tf.logSoftmax(tf.div(teacherLogits, t));
    const logPs = tf.logSoftmax(tf.div(studentLogits, t));
    const kl = tf.mean(tf.sum(tf.mul(tf.exp(logPt), tf.sub(logPt, logPs)), -1));
    return tf.add(tf.mul(alpha, hard), tf.mul((1 - alpha) * t * t, kl)) as tf.Scalar;
  });
}
