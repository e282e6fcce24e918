// Helpers shared by the wasm gradient kernels: they receive TensorInfos from the engine
// and are composed from ordinary tfjs ops, which the engine dispatches to wasm kernels.
import * as tf from '@tensorflow/tfjs';

/** Wraps a kernel input as a Tensor; the wrapper holds its own reference, so disposing it is safe. */
export function asTensor<R extends tf.Rank>(info: tf.TensorInfo | undefined): tf.Tensor<R> {
  if (info == null) throw new Error('wasm gradient kernel called without a required input');
  if (info instanceof tf.Tensor) return info as tf.Tensor<R>;
  return tf.engine().makeTensorFromTensorInfo(info) as tf.Tensor<R>;
}

export function pair(v: number | [number, number] | undefined): [number, number] {
  if (v == null) return [1, 1];
  return typeof v === 'number' ? [v, v] : v;
}

export function allOne(v: [number, number]): boolean {
  return v[0] === 1 && v[1] === 1;
}

/**
 * Makes spatial axes 1 and 2 of an NHWC tensor exactly `need` long, where output index i
 * reads input index i - before: zero-pads or crops on either side as required.
 */
export function padOrCrop(t: tf.Tensor4D, before: [number, number], need: [number, number], fill = 0): tf.Tensor4D {
  const [, h, w] = t.shape;
  const padTop = Math.max(0, before[0]);
  const padLeft = Math.max(0, before[1]);
  const padBottom = Math.max(0, need[0] - h - before[0]);
  const padRight = Math.max(0, need[1] - w - before[1]);
  let out = t;
  if (padTop || padLeft || padBottom || padRight) {
    out = tf.pad(t, [[0, 0], [padTop, padBottom], [padLeft, padRight], [0, 0]], fill);
  }
  const start: [number, number] = [Math.max(0, -before[0]), Math.max(0, -before[1])];
  if (start[0] === 0 && start[1] === 0 && out.shape[1] === need[0] && out.shape[2] === need[1]) return out;
  return tf.slice(out, [0, start[0], start[1], 0], [-1, need[0], need[1], -1]);
}

/**
 * Correlation with stride `stride` and dilation `dilation` where tfjs forbids both being > 1:
 * then run with the dilation only and keep every stride-th output.
 */
export function correlate(
  kind: 'conv' | 'depthwise', x: tf.Tensor4D, f: tf.Tensor4D, stride: [number, number], dilation: [number, number],
): tf.Tensor4D {
  const run = (s: [number, number], d: [number, number]): tf.Tensor4D => kind === 'conv'
    ? tf.conv2d(x, f, s, 'valid', 'NHWC', d)
    : tf.depthwiseConv2d(x, f, s, 'valid', 'NHWC', d);
  if (allOne(stride) || allOne(dilation)) return run(stride, dilation);
  const full = run([1, 1], dilation);
  const [n, h, w, c] = full.shape;
  return tf.stridedSlice(full, [0, 0, 0, 0], [n, h, w, c], [1, stride[0], stride[1], 1]) as tf.Tensor4D;
}

/** Inserts stride−1 zeros between the spatial samples of an NHWC tensor (a transposed conv's input). */
export function upsampleWithZeros(t: tf.Tensor4D, stride: [number, number]): tf.Tensor4D {
  if (stride[0] === 1 && stride[1] === 1) return t;
  const [n, h, w, k] = t.shape;
  const spaced = tf.pad(tf.reshape(t, [n, h, 1, w, 1, k]),
    [[0, 0], [0, 0], [0, stride[0] - 1], [0, 0], [0, stride[1] - 1], [0, 0]]);
  const full = tf.reshape(spaced, [n, h * stride[0], w * stride[1], k]) as tf.Tensor4D;
  return tf.slice(full, [0, 0, 0, 0], [n, (h - 1) * stride[0] + 1, (w - 1) * stride[1] + 1, k]);
}
