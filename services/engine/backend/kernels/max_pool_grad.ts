// MaxPoolGrad for wasm, composed from wasm ops. tfjs-backend-wasm 4.22 ships MaxPoolGrad and
// MaxPoolWithArgmax, but both drop the gradient when a window's maximum is ≤ 0 (they pick
// index 0), which silently corrupts training; this replaces them. Like the cpu kernel, the
// first maximum of each window (row-major) receives the whole gradient: the window taps are
// laid along a last axis, ArgMax picks the winner, a one-hot routes dY to it, and the taps
// are put back in place (one reshape for non-overlapping windows, pads and adds otherwise).
import * as tf from '@tensorflow/tfjs';
import { asTensor, pair, padOrCrop, upsampleWithZeros } from './tensor_args.ts';

interface Attrs {
  filterSize: number | [number, number];
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

const LOWEST = -3.4e38;

/** [N,OH,OW,C,FH·FW]: every window's values, taps in row-major order. */
function windows(xP: tf.Tensor4D, oh: number, ow: number, f: [number, number], s: [number, number]): tf.Tensor {
  const [n, , , c] = xP.shape;
  if (f[0] === s[0] && f[1] === s[1]) { // non-overlapping windows: one reshape + transpose
    const cropped = tf.slice(xP, [0, 0, 0, 0], [n, oh * s[0], ow * s[1], c]);
    return tf.reshape(tf.transpose(tf.reshape(cropped, [n, oh, f[0], ow, f[1], c]), [0, 1, 3, 5, 2, 4]), [n, oh, ow, c, f[0] * f[1]]);
  }
  const taps: tf.Tensor[] = [];
  for (let i = 0; i < f[0]; i++) {
    for (let j = 0; j < f[1]; j++) {
      // a stride-s sampling as contiguous slice + reshape + slice (wasm's StridedSlice is slow)
      const block = tf.reshape(tf.slice(xP, [0, i, j, 0], [n, oh * s[0], ow * s[1], c]), [n, oh, s[0], ow, s[1], c]);
      taps.push(tf.reshape(tf.slice(block, [0, 0, 0, 0, 0, 0], [n, oh, 1, ow, 1, c]), [n, oh, ow, c]));
    }
  }
  return tf.stack(taps, 4);
}

export function maxPoolGrad({ inputs, attrs }: { inputs: tf.NamedTensorInfoMap; attrs?: tf.NamedAttrMap }): tf.TensorInfo {
  const { filterSize, strides, pad, dimRoundingMode } = attrs as unknown as Attrs;
  return tf.tidy(() => {
    const dy = asTensor<tf.Rank.R4>(inputs.dy);
    const x = asTensor<tf.Rank.R4>(inputs.input);
    const info = tf.backend_util.computePool2DInfo(x.shape, filterSize, strides, 1, pad, dimRoundingMode);
    const [n, h, w, c] = x.shape;
    const { outHeight: oh, outWidth: ow } = info;
    const f = pair(filterSize);
    const s = pair(strides);
    const origin: [number, number] = [info.padInfo.top, info.padInfo.left];
    // pad with the lowest float so padding never wins; size covers every tap's strided block
    const need: [number, number] = [oh * s[0] + f[0] - 1, ow * s[1] + f[1] - 1];
    const xP = padOrCrop(x, origin, need, LOWEST);
    const taps = f[0] * f[1];
    // dY routed to each window's first maximum: [N,OH,OW,C,taps]
    const routed = tf.mul(tf.oneHot(tf.argMax(windows(xP, oh, ow, f, s), 4), taps), tf.expandDims(dy, 4));
    const back: [number, number] = [-origin[0], -origin[1]];
    if (f[0] === s[0] && f[1] === s[1]) { // non-overlapping windows: the inverse reshape/transpose
      const tiled = tf.reshape(tf.transpose(tf.reshape(routed, [n, oh, ow, c, f[0], f[1]]), [0, 1, 4, 2, 5, 3]), [n, oh * f[0], ow * f[1], c]);
      return padOrCrop(tiled as tf.Tensor4D, back, [h, w]);
    }
    // overlapping windows: place every tap's share at its offset and add them up
    const parts: tf.Tensor4D[] = [];
    for (let t = 0; t < taps; t++) {
      const share = tf.reshape(tf.slice(routed, [0, 0, 0, 0, t], [n, oh, ow, c, 1]), [n, oh, ow, c]) as tf.Tensor4D;
      parts.push(padOrCrop(upsampleWithZeros(share, s), [Math.floor(t / f[1]), t % f[1]], need));
    }
    return padOrCrop(tf.addN(parts), back, [h, w]);
  });
}
