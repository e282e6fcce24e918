// Sum / Mean over the leading axes of a float32 tensor (conv bias gradients, batch-norm
// statistics) for wasm: an AvgPool over all but the first axis (XNNPACK, one pass), then the
// shipped kernel on the small [A, C] rest. The shipped kernels first transpose the reduced
// axes innermost, which made a conv bias gradient ~10× slower than this.
import * as tf from '@tensorflow/tfjs';
import { asTensor } from './tensor_args.ts';

/** Below this many reduced values per output the shipped kernel is as fast. */
const MIN_POOLED = 4;

function leadingAxes(axis: number | number[], rank: number): number | null {
  const axes = [...new Set((Array.isArray(axis) ? axis : [axis]).map((a) => (a < 0 ? a + rank : a)))].sort((a, b) => a - b);
  if (axes.length < 2 || axes.length >= rank || axes.some((a, i) => a !== i)) return null;
  return axes.length;
}

export function reduceLeadingAxes(shipped: tf.KernelConfig, mean: boolean): tf.KernelConfig {
  const kernelFunc: tf.KernelFunc = (args) => {
    const x = args.inputs.x as tf.TensorInfo;
    const { axis, keepDims } = args.attrs as unknown as { axis: number | number[]; keepDims: boolean };
    const k = x.dtype === 'float32' ? leadingAxes(axis, x.shape.length) : null;
    const pooled = k === null ? 0 : x.shape.slice(1, k).reduce((a, b) => a * b, 1);
    if (k === null || pooled < MIN_POOLED) return shipped.kernelFunc(args);
    const first = x.shape[0];
    const rest = x.shape.slice(k);
    const cols = rest.reduce((a, b) => a * b, 1);
    return tf.tidy(() => {
      const averaged = tf.avgPool(tf.reshape(asTensor(x), [first, pooled, 1, cols]) as tf.Tensor4D, [pooled, 1], 1, 'valid');
      const perRow = tf.reshape(averaged, [first, cols]);
      const out = mean ? tf.mean(perRow, 0) : tf.mul(tf.sum(perRow, 0), pooled);
      return tf.reshape(out, keepDims ? [...x.shape.slice(0, k).map(() => 1), ...rest] : rest);
    });
  };
  return { ...shipped, kernelFunc };
}
