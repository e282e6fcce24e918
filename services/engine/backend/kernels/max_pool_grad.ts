// MaxPoolGrad for wasm, composed from wasm ops. tfjs-backend-wasm 4.22 ships MaxPoolGrad and
// MaxPoolWithArgmax, but both drop the gradient when a window's maximum is ≤ 0 (they pick
// index 0), which silently corrupts training; this replaces them. Like the cpu kernel, the
// first maximum of each window (row-major) receives the whole gradient.
import * as tf from '@tensorflow/tfjs';
import { asTensor, pair, padOrCrop } from './tensor_args.ts';

interface Attrs {
  filterSize: number | [number, number];
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

const LOWEST = -3.4e38;
const int = (v: number): tf.Scalar => tf.scalar(v, 'int32');

export function maxPoolGrad({ inputs, attrs }: { inputs: tf.NamedTensorInfoMap; attrs?: tf.NamedAttrMap }): tf.TensorInfo {
  const { filterSize, strides, pad, dimRoundingMode } = attrs as unknown as Attrs;
  return tf.tidy(() => {
    const dy = asTensor<tf.Rank.R4>(inputs.dy);
    const x = asTensor<tf.Rank.R4>(inputs.input);
    const y = asTensor<tf.Rank.R4>(inputs.output);
    const info = tf.backend_util.computePool2DInfo(x.shape, filterSize, strides, 1, pad, dimRoundingMode);
    const [n, h, w, c] = x.shape;
    const { outHeight: oh, outWidth: ow } = info;
    const [fh, fw] = pair(filterSize);
    const [sh, sw] = pair(strides);
    const top = info.padInfo.top;
    const left = info.padInfo.left;
    const need: [number, number] = [(oh - 1) * sh + fh, (ow - 1) * sw + fw];
    // pad with the lowest float so padding never wins a window
    const xP = padOrCrop(x, [top, left], need, LOWEST);
    // flat index of window origin (n, oh·sh−top, ow·sw−left, c) in x
    const base = tf.add(tf.add(
      tf.reshape(tf.mul(tf.range(0, n, 1, 'int32'), int(h * w * c)), [n, 1, 1, 1]),
      tf.reshape(tf.mul(tf.sub(tf.mul(tf.range(0, oh, 1, 'int32'), int(sh)), int(top)), int(w * c)), [1, oh, 1, 1])),
    tf.add(
      tf.reshape(tf.mul(tf.sub(tf.mul(tf.range(0, ow, 1, 'int32'), int(sw)), int(left)), int(c)), [1, 1, ow, 1]),
      tf.reshape(tf.range(0, c, 1, 'int32'), [1, 1, 1, c])));
    let taken = tf.zeros([n, oh, ow, c], 'int32') as tf.Tensor;
    let index = tf.zeros([n, oh, ow, c], 'int32') as tf.Tensor;
    for (let i = 0; i < fh; i++) {
      for (let j = 0; j < fw; j++) {
        const tap = tf.stridedSlice(xP, [0, i, j, 0], [n, i + (oh - 1) * sh + 1, j + (ow - 1) * sw + 1, c], [1, sh, sw, 1]);
        const first = tf.mul(tf.cast(tf.equal(tap, y), 'int32'), tf.sub(int(1), taken));
        taken = tf.add(taken, first);
        index = tf.add(index, tf.mul(first, tf.add(base, int(i * w * c + j * c))));
      }
    }
    const size = n * h * w * c;
    const flat = tf.scatterND(tf.reshape(index, [-1, 1]), tf.reshape(dy, [-1]), [size]);
    return tf.reshape(flat, x.shape);
  });
}
