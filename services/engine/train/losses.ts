// Classification and distillation losses; all return a scalar mean over the batch.
import { tf } from '../backend/index.ts';

const EPSILON = 1e-7;

/** Log-probabilities from logits, or from probabilities (clipped so log stays finite). */
export function logProbabilities(output: tf.Tensor, fromLogits: boolean): tf.Tensor {
  return fromLogits ? tf.logSoftmax(output) : tf.log(tf.clipByValue(output, EPSILON, 1));
}

/** Cross-entropy against integer labels `labels` (int32 [n]) for `output` [n, classes]. */
export function sparseCategoricalCrossEntropy(output: tf.Tensor, labels: tf.Tensor, fromLogits = true): tf.Scalar {
  return tf.tidy(() => {
    const logp = logProbabilities(output, fromLogits);
    const onehot = tf.oneHot(tf.cast(labels, 'int32'), output.shape[output.rank - 1]);
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
 * Probabilities are turned into logits via log, which softmax maps back exactly at T = 1.
 * Gradients flow only to the variables the caller's optimizer updates (pass the student's).
 */
export function distillationLoss(
  studentOutput: tf.Tensor, teacherOutput: tf.Tensor, labels: tf.Tensor, options: DistillationOptions,
): tf.Scalar {
  const { temperature: t, alpha } = options;
  if (!(t > 0)) throw new Error(`distillation temperature must be > 0, got ${t}`);
  if (!(alpha >= 0 && alpha <= 1)) throw new Error(`distillation alpha must be in [0, 1], got ${alpha}`);
  return tf.tidy(() => {
    const studentLogits = logProbabilities(studentOutput, options.studentFromLogits ?? true);
    const teacherLogits = logProbabilities(teacherOutput, options.teacherFromLogits ?? true);
    const hard = sparseCategoricalCrossEntropy(studentLogits, labels, true);
    const logPt = tf.logSoftmax(tf.div(teacherLogits, t));
    const logPs = tf.logSoftmax(tf.div(studentLogits, t));
    const kl = tf.mean(tf.sum(tf.mul(tf.exp(logPt), tf.sub(logPt, logPs)), -1));
    return tf.add(tf.mul(alpha, hard), tf.mul((1 - alpha) * t * t, kl)) as tf.Scalar;
  });
}
