// Conv2DBackpropFilter for wasm, composed from wasm ops: the filter gradient
// dW[i,j,c,o] = Σ_{n,y,x} X[n, y·s+i−pad, x·s+j−pad, c] · dY[n,y,x,o] is itself a correlation of X
// (channels and batch swapped) with dY used as a filter dilated by the forward stride.
import * as tf from '@tensorflow/tfjs';
import { asTensor, correlate, padOrCrop, pair } from './tensor_args.ts';

/** Patch length (FH·FW·C) up to which the explicit-patches path is used. */
const SMALL_PATCH = 32;

interface Attrs {
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  filterShape: [number, number, number, number];
}

export function conv2dBackpropFilter({ inputs, attrs }: { inputs: tf.NamedTensorInfoMap; attrs?: tf.NamedAttrMap }): tf.TensorInfo {
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs as unknown as Attrs;
  return tf.tidy(() => {
    let x = asTensor<tf.Rank.R4>(inputs.x);
    let dy = asTensor<tf.Rank.R4>(inputs.dy);
    if (dataFormat === 'NCHW') {
      x = tf.transpose(x, [0, 2, 3, 1]);
      dy = tf.transpose(dy, [0, 2, 3, 1]);
    }
    const info = tf.backend_util.computeConv2DInfo(
      x.shape, filterShape, strides, 1, pad, dimRoundingMode, false, 'channelsLast');
    const stride = pair(strides);
    const need: [number, number] = [
      (info.outHeight - 1) * stride[0] + info.filterHeight,
      (info.outWidth - 1) * stride[1] + info.filterWidth,
    ];
    const k = info.filterHeight * info.filterWidth * info.inChannels;
    const p = info.padInfo;
    if (info.filterHeight === 1 && info.filterWidth === 1 && stride[0] === 1 && stride[1] === 1 && !(p.top || p.left || p.bottom || p.right)) {
      // pointwise conv: the gradient is one product Xᵀ·dY over all pixels
      const rows = tf.reshape(x, [-1, info.inChannels]);
      return tf.reshape(tf.matMul(rows, tf.reshape(dy, [-1, info.outChannels]), true, false), filterShape);
    }
    if (k <= SMALL_PATCH) {
      // few input channels (a first layer): explicit patches via an identity-filter conv, then
      // one product Pᵀ·dY — avoids packing dY as a huge conv filter, ~4× faster here
      const xP = padOrCrop(x, [info.padInfo.top, info.padInfo.left], need);
      const identity = tf.reshape(tf.eye(k), [info.filterHeight, info.filterWidth, info.inChannels, k]) as tf.Tensor4D;
      const patches = tf.reshape(tf.conv2d(xP, identity, stride, 'valid'), [-1, k]);
      return tf.reshape(tf.matMul(patches, tf.reshape(dy, [-1, info.outChannels]), true, false), filterShape);
    }
    const xT = padOrCrop(tf.transpose(x, [3, 1, 2, 0]), [info.padInfo.top, info.padInfo.left], need); // [C,H,W,N]
    const dyT = tf.transpose(dy, [1, 2, 0, 3]); // [OH,OW,N,OC]
    const dW = correlate('conv', xT, dyT, [1, 1], stride); // [C,FH,FW,OC]
    return tf.transpose(dW, [1, 2, 0, 3]);
  });
}
