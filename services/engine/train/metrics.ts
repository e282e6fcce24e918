// Metrics computed on the device; the training loop reads them back only when it reports.
import { tf } from '../backend/index.ts';

/** Fraction of rows whose arg-max equals the integer label, as a scalar tensor. */
export function accuracy(output: tf.Tensor, labels: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.mean(tf.cast(tf.equal(tf.argMax(output, -1), tf.cast(labels, 'int32')), 'float32')));
}
