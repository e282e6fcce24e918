// DepthwiseConv2dNativeBackpropFilter for wasm, composed from wasm ops. Per channel c the
// gradient is a correlation of X[..,c] with dY[..,c·M+m] summed over the batch; folding the
// batch into the channel axis (C·N channels) makes that one depthwise correlation, and a sum
// over the batch axis finishes it.
import * as tf from '@tensorflow/tfjs';
import { asTensor, correlate, padOrCrop, pair } from './tensor_args.ts';

interface Attrs {
  strides: number | [number, number];
  dilations: number | [number, number];
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  filterShape: [number, number, number, number];
}

export function depthwiseConv2dBackpropFilter({ inputs, attrs }: { inputs: tf.NamedTensorInfoMap; attrs?: tf.NamedAttrMap }): tf.TensorInfo {
  const { strides, dilations, pad, dimRoundingMode, filterShape } = attrs as unknown as Attrs;
  return tf.tidy(() => {
    const x = asTensor<tf.Rank.R4>(inputs.x);
    const dy = asTensor<tf.Rank.R4>(inputs.dy);
    const info = tf.backend_util.computeConv2DInfo(
      x.shape, filterShape, strides, dilations, pad, dimRoundingMode, true, 'channelsLast');
    const [n, h, w, c] = x.shape;
    const m = filterShape[3];
    const stride = pair(strides);
    const dilation = pair(dilations);
    const need: [number, number] = [
      (info.outHeight - 1) * stride[0] + (info.filterHeight - 1) * dilation[0] + 1,
      (info.outWidth - 1) * stride[1] + (info.filterWidth - 1) * dilation[1] + 1,
    ];
    if (m === 1 && stride[0] === 1 && stride[1] === 1) {
      // per tap: the shifted window of X times dY, summed over batch and pixels — avoids a
      // depthwise conv with an OH×OW kernel, which XNNPACK runs slowly (~2× here)
      const xP = padOrCrop(x, [info.padInfo.top, info.padInfo.left], need);
      const taps: tf.Tensor[] = [];
      for (let i = 0; i < info.filterHeight; i++) {
        for (let j = 0; j < info.filterWidth; j++) {
          const window = tf.slice(xP, [0, i * dilation[0], j * dilation[1], 0], [n, info.outHeight, info.outWidth, c]);
          taps.push(tf.sum(tf.mul(window, dy), [0, 1, 2]));
        }
      }
      return tf.reshape(tf.stack(taps), filterShape);
    }
    // channel index c·N+n on both sides
    const xT = tf.reshape(tf.transpose(x, [1, 2, 3, 0]), [1, h, w, c * n]) as tf.Tensor4D;
    const xP = padOrCrop(xT, [info.padInfo.top, info.padInfo.left], need);
    const dyT = tf.reshape(
      tf.transpose(tf.reshape(dy, [n, info.outHeight, info.outWidth, c, m]), [1, 2, 3, 0, 4]),
      [info.outHeight, info.outWidth, c * n, m]) as tf.Tensor4D;
    const g = correlate('depthwise', xP, dyT, dilation, stride); // [1,FH,FW,C·N·M]
    return tf.sum(tf.reshape(g, [info.filterHeight, info.filterWidth, c, n, m]), 3);
  });
}
