// UnsortedSegmentSum for wasm (the gradient of gather, i.e. of Embedding): a ScatterNd, which
// adds rows that share an index. Ids outside [0, numSegments) contribute nothing, as in TF.
import * as tf from '@tensorflow/tfjs';
import { asTensor } from './tensor_args.ts';

export function unsortedSegmentSum({ inputs, attrs }: { inputs: tf.NamedTensorInfoMap; attrs?: tf.NamedAttrMap }): tf.TensorInfo {
  const numSegments = (attrs as unknown as { numSegments: number }).numSegments;
  return tf.tidy(() => {
    const x = asTensor(inputs.x);
    const segmentIds = asTensor(inputs.segmentIds);
    const ids = tf.reshape(tf.cast(segmentIds, 'int32'), [-1]);
    const n = ids.shape[0];
    // segment ids cover a prefix of x's dims; flatten that prefix so every row has one id
    const rowShape = x.shape.slice(segmentIds.rank);
    const rows = tf.reshape(x, [n, ...rowShape]);
    const valid = tf.logicalAnd(tf.greaterEqual(ids, 0), tf.less(ids, numSegments));
    const safeIds = tf.where(valid, ids, tf.zerosLike(ids));
    const mask = tf.reshape(tf.cast(valid, rows.dtype), [n, ...rowShape.map(() => 1)]);
    return tf.scatterND(tf.reshape(safeIds, [n, 1]), tf.mul(rows, mask), [numSegments, ...rowShape]);
  });
}
