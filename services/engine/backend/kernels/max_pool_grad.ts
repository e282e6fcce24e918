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
    return tf.reshape(tf.transpose(tf.reshape(xP, [n, oh, f[0], ow, f[1], c]), [0, 1, 3, 5, 2, 4]), [n, oh, ow, c, f[0] * f[1]]);
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

/**
 * Non-overlapping windows without ArgMax or transposes (the common 2×2/2 pool): in the
 * [N,OH,fh,OW,fw,C] layout, mark the taps equal to the window max, weight them 2^(taps−1−t)
 * so the first one outweighs all later ones, and keep the tap whose weight is the window's
 * maximum (found by a MaxPool, which XNNPACK runs fast).
 */
function tiledGrad(xP: tf.Tensor4D, y: tf.Tensor4D, dy: tf.Tensor4D, f: [number, number], back: [number, number], size: [number, number]): tf.Tensor4D {
  const [n, hp, wp, c] = xP.shape;
  const [oh, ow] = [hp / f[0], wp / f[1]];
  const x6 = tf.reshape(xP, [n, oh, f[0], ow, f[1], c]);
  const isMax = tf.sub(1, tf.step(tf.sub(tf.reshape(y, [n, oh, 1, ow, 1, c]), x6))); // 1 where x = window max
  const weights = tf.tile(tf.reshape(
    tf.tensor1d(Array.from({ length: f[0] * f[1] }, (_, t) => 2 ** (f[0] * f[1] - 1 - t))), [f[0], 1, f[1], 1]), [1, 1, 1, c]);
  const priority = tf.mul(isMax, weights);
  const best = tf.maxPool(tf.reshape(priority, [n, hp, wp, c]) as tf.Tensor4D, f, f, 'valid');
  const first = tf.step(tf.sub(priority, tf.reshape(tf.sub(best, 0.5), [n, oh, 1, ow, 1, c])));
  const routed = tf.mul(first, tf.reshape(dy, [n, oh, 1, ow, 1, c]));
  return padOrCrop(tf.reshape(routed, [n, hp, wp, c]) as tf.Tensor4D, back, size);
}

// (wasm's broadcasting is fast only when the broadcast axis is not the innermost one, and its
// comparisons never are: hence one-hot masks multiplied in the [N,OH,fh,OW,fw,C] layout.)
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
    const back: [number, number] = [-origin[0], -origin[1]];
    const tiles = f[0] === s[0] && f[1] === s[1];
    // pad with the lowest float so padding never wins; size covers every tap's strided block
    const need: [number, number] = tiles ? [oh * s[0], ow * s[1]] : [oh * s[0] + f[0] - 1, ow * s[1] + f[1] - 1];
    const xP = padOrCrop(x, origin, need, LOWEST);
    const taps = f[0] * f[1];
    if (tiles && taps <= 24) return tiledGrad(xP, asTensor<tf.Rank.R4>(inputs.output), dy, f, back, [h, w]);
    const winner = tf.oneHot(tf.argMax(windows(xP, oh, ow, f, s), 4), taps); // [N,OH,OW,C,taps]
    if (tiles) {
      const mask = tf.transpose(tf.reshape(winner, [n, oh, ow, c, f[0], f[1]]), [0, 1, 4, 2, 5, 3]);
      const routed = tf.mul(mask, tf.reshape(dy, [n, oh, 1, ow, 1, c]));
      return padOrCrop(tf.reshape(routed, [n, oh * f[0], ow * f[1], c]) as tf.Tensor4D, back, [h, w]);
    }
    // overlapping windows: place every tap's share at its offset and add them up
    const perTap = tf.unstack(tf.transpose(winner, [4, 0, 1, 2, 3])) as tf.Tensor4D[];
    const parts = perTap.map((m, t) => padOrCrop(upsampleWithZeros(tf.mul(m, dy), s), [Math.floor(t / f[1]), t % f[1]], need));
    return padOrCrop(tf.addN(parts), back, [h, w]);
  });
}
