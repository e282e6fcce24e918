// Metrics computed on the device; the training loop reads them back only when it reports.
import { tf } from '../backend/index.ts';

/** Fraction of rows whose predicted class equals the integer label, as a scalar tensor. The
 * prediction is the arg-max; for an output of width 1 (a binary classifier's P(class 1), or its
 * logit when `fromLogits`) it is class 1 when p > 0.5. */
export function accuracy(output: tf.Tensor, labels: tf.Tensor, fromLogits = false): tf.Scalar {
  return tf.tidy(() => {
    const predicted = output.shape[output.rank - 1] === 1
      ? tf.cast(tf.greater(tf.squeeze(output, [output.rank - 1]), fromLogits ? 0 : 0.5), 'int32')
      : tf.argMax(output, -1);
    return tf.mean(tf.cast(tf.equal(predicted, tf.cast(labels, 'int32')), 'float32'));
  });
}
