// Conv2DBackpropInput for wasm, composed from wasm ops. tfjs-backend-wasm ships this kernel
// as a plain loop that dominated a CNN training step (~30% of it); as a "full" correlation of
// the stride-upsampled dY with the flipped, in/out-swapped filter it runs on XNNPACK's Conv2D.
import * as tf from '@tensorflow/tfjs';
import { asTensor, padOrCrop, pair, upsampleWithZeros } from './tensor_args.ts';

interface Attrs {
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  inputShape: [number, number, number, number];
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
    const [, h, w] = nhwcShape;
    const before: [number, number] = [fh - 1 - info.padInfo.top, fw - 1 - info.padInfo.left];
    const dyP = padOrCrop(upsampleWithZeros(dy, pair(strides)), before, [h + fh - 1, w + fw - 1]);
    const flipped = tf.transpose(tf.reverse(filter, [0, 1]), [0, 1, 3, 2]) as tf.Tensor4D; // [FH,FW,OC,C]
    const dx = tf.conv2d(dyP, flipped, 1, 'valid');
    return dataFormat === 'NCHW' ? tf.transpose(dx, [0, 3, 1, 2]) : dx;
  });
}
