// Conv2DBackpropInput for wasm, composed from wasm ops. tfjs-backend-wasm ships this kernel
// as a plain loop that dominated a CNN training step (~30% of it); as a "full" correlation of
// dY with the flipped, in/out-swapped filter it runs on XNNPACK's Conv2D. A strided conv's
// gradient is split by output phase (the sub-pixel form of a transposed convolution, Shi et al.
// 2016): input rows i with i + pad ≡ r (mod stride) only meet the filter taps r, r + stride, …,
// so each of the stride² phases is a small dense correlation of dY with those taps, and the
// phases are interleaved — no correlation over a dY upsampled with zeros (stride² times the work).
import * as tf from '@tensorflow/tfjs';
import { asTensor, padOrCrop, pair } from './tensor_args.ts';

interface Attrs {
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  inputShape: [number, number, number, number];
}

/**
 * The filter [FH,FW,C,OC] rearranged for the phases of a stride (sh, sw): [JH,JW,OC,sh·sw·C] with
 * J = ⌈F/s⌉, where output block (ry, rx) holds taps (ry + j·sh, rx + i·sw), flipped (j → J−1−j)
 * and zero where a phase has fewer taps. Done on the host: the filter is small and this is one
 * pass over it, where wasm's StridedSlice and Reverse would take longer than the convolution.
 */
function phaseFilter(filter: tf.Tensor4D, sh: number, sw: number): tf.Tensor4D {
  const [fh, fw, c, oc] = filter.shape;
  const jh = Math.ceil(fh / sh);
  const jw = Math.ceil(fw / sw);
  const w = filter.dataSync() as Float32Array;
  const out = new Float32Array(jh * jw * oc * sh * sw * c);
  for (let ry = 0; ry < sh; ry++) for (let j = 0; j * sh + ry < fh; j++) {
    for (let rx = 0; rx < sw; rx++) for (let i = 0; i * sw + rx < fw; i++) {
      const from = ((j * sh + ry) * fw + (i * sw + rx)) * c * oc; // [ky,kx,:,:]
      const to = ((jh - 1 - j) * jw + (jw - 1 - i)) * oc * sh * sw * c + (ry * sw + rx) * c;
      for (let ci = 0; ci < c; ci++) for (let o = 0; o < oc; o++) out[to + o * sh * sw * c + ci] = w[from + ci * oc + o]!;
    }
  }
  return tf.tensor4d(out, [jh, jw, oc, sh * sw * c]);
}

export function conv2dBackpropInput({ inputs, attrs }: { inputs: tf.NamedTensorInfoMap; attrs?: tf.NamedAttrMap }): tf.TensorInfo {
  const { strides, pad, dataFormat, dimRoundingMode, inputShape } = attrs as unknown as Attrs;
  return tf.tidy(() => {
    let dy = asTensor<tf.Rank.R4>(inputs.dy);
    const filter = asTensor<tf.Rank.R4>(inputs.filter);
    const nhwcShape: [number, number, number, number] = dataFormat === 'NCHW'
      ? [inputShape[0], inputShape[2], inputShape[3], inputShape[1]] : inputShape;
    if (dataFormat === 'NCHW') dy = tf.transpose(dy, [0, 2, 3, 1]);
    const [fh, fw] = filter.shape;
    const info = tf.backend_util.computeConv2DInfo(
      nhwcShape, filter.shape, strides, 1, pad, dimRoundingMode, false, 'channelsLast');
    const [n, h, w, c] = nhwcShape;
    const [sh, sw] = pair(strides);
    const { top, left } = info.padInfo;
    if (sh === 1 && sw === 1) {
      // [FH,FW,OC,C], flipped: correlating dY with it is the "full" convolution with the filter
      const flipped = tf.transpose(tf.reverse(filter, [0, 1]), [0, 1, 3, 2]) as tf.Tensor4D;
      const dyP = padOrCrop(dy, [fh - 1 - top, fw - 1 - left], [h + fh - 1, w + fw - 1]);
      const dx = tf.conv2d(dyP, flipped, 1, 'valid');
      return dataFormat === 'NCHW' ? tf.transpose(dx, [0, 3, 1, 2]) : dx;
    }
    // Phase (ry, rx) holds dX[i, j] for i + top = q·sh + ry, j + left = p·sw + rx, q < qh, p < qw:
    // all phases come out of one correlation as channel blocks, then are interleaved in place.
    const kernel = phaseFilter(filter, sh, sw);
    const [jh, jw] = kernel.shape;
    const qh = Math.ceil((h + top) / sh);
    const qw = Math.ceil((w + left) / sw);
    const dyP = padOrCrop(dy, [jh - 1, jw - 1], [qh + jh - 1, qw + jw - 1]);
    const phases = tf.reshape(tf.conv2d(dyP, kernel, 1, 'valid'), [n, qh, qw, sh, sw, c]);
    const z = tf.reshape(tf.transpose(phases, [0, 1, 3, 2, 4, 5]), [n, qh * sh, qw * sw, c]) as tf.Tensor4D;
    const dx = padOrCrop(z, [-top, -left], [h, w]);
    return dataFormat === 'NCHW' ? tf.transpose(dx, [0, 3, 1, 2]) : dx;
  });
}
