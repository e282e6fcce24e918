// DepthwiseConv2dNativeBackpropInput for wasm, composed from wasm ops: the input gradient is
// the "full" correlation of the stride-upsampled dY with the spatially flipped filter, per
// channel (multiplier 1 over C·M channels), then summed over the M multiplier copies.
import * as tf from '@tensorflow/tfjs';
import { asTensor, correlate, padOrCrop, pair, upsampleWithZeros } from './tensor_args.ts';

interface Attrs {
  strides: number | [number, number];
  dilations: number | [number, number];
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  inputShape: [number, number, number, number];
}

export function depthwiseConv2dBackpropInput({ inputs, attrs }: { inputs: tf.NamedTensorInfoMap; attrs?: tf.NamedAttrMap }): tf.TensorInfo {
  const { strides, dilations, pad, dimRoundingMode, inputShape } = attrs as unknown as Attrs;
  return tf.tidy(() => {
    const dy = asTensor<tf.Rank.R4>(inputs.dy);
    const filter = asTensor<tf.Rank.R4>(inputs.filter);
    const [fh, fw, c, m] = filter.shape;
    const info = tf.backend_util.computeConv2DInfo(
      inputShape, filter.shape, strides, dilations, pad, dimRoundingMode, true, 'channelsLast');
    const dilation = pair(dilations);
    const [n, h, w] = inputShape;
    const before: [number, number] = [
      (fh - 1) * dilation[0] - info.padInfo.top,
      (fw - 1) * dilation[1] - info.padInfo.left,
    ];
    const need: [number, number] = [h + (fh - 1) * dilation[0], w + (fw - 1) * dilation[1]];
    const dyP = padOrCrop(upsampleWithZeros(dy, pair(strides)), before, need);
    const flipped = tf.reshape(tf.reverse(filter, [0, 1]), [fh, fw, c * m, 1]) as tf.Tensor4D;
    const g = correlate('depthwise', dyP, flipped, [1, 1], dilation); // [N,H,W,C·M]
    return m === 1 ? g : tf.sum(tf.reshape(g, [n, h, w, c, m]), 4);
  });
}
