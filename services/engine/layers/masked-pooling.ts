// Keras' global 1D pooling semantics for masked sequences, which tfjs 4.22 lacks: its
// GlobalAveragePooling1D averages padding too and its GlobalMaxPooling1D throws when an
// `Embedding(mask_zero=True)` mask reaches it. These classes replace tfjs's under the same
// class names (so imported Keras models get them):
//  - GlobalAveragePooling1D with a mask averages only the unmasked steps, Σ(x·m)/Σm as Keras
//    does, except that an all-masked sample gives 0 instead of Keras' NaN (Σm is floored at 1);
//  - GlobalMaxPooling1D takes the plain maximum over all steps and drops the mask, as Keras'
//    own GlobalMaxPooling1D does (its call has no mask argument).
// Both consume the mask (the pooled output has none). Without a mask they equal tfjs's layers.
import * as tf from '@tensorflow/tfjs';

type Kwargs = { mask?: tf.Tensor | null };

function maskOf(kwargs: Kwargs | undefined): tf.Tensor | undefined {
  const mask = kwargs?.mask;
  return mask instanceof tf.Tensor ? mask : undefined;
}

/** Σ(x·m)/max(Σm, 1) over the steps axis; `mask` is [batch, steps] (bool or 0/1). */
export function maskedMean(x: tf.Tensor, mask: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const m = tf.expandDims(tf.cast(mask, 'float32'), -1);
    return tf.div(tf.sum(tf.mul(x, m), 1), tf.maximum(tf.sum(m, 1), 1));
  });
}

abstract class GlobalPooling1DBase extends tf.layers.Layer {
  constructor(args: tf.serialization.ConfigDict = {}) {
    super(args as object);
    this.supportsMasking = true;
  }

  computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const s = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    return [s[0], s[2]];
  }

  /** The pooled output carries no mask (tfjs types say Tensor; null is what its containers expect). */
  computeMask(): tf.Tensor {
    return null as unknown as tf.Tensor;
  }
}

export class MaskedGlobalAveragePooling1D extends GlobalPooling1DBase {
  static className = 'GlobalAveragePooling1D';

  call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    const mask = maskOf(kwargs);
    return mask ? maskedMean(x, mask) : tf.mean(x, 1);
  }
}

export class MaskDroppingGlobalMaxPooling1D extends GlobalPooling1DBase {
  static className = 'GlobalMaxPooling1D';

  call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    return tf.max(x, 1);
  }
}

tf.serialization.registerClass(MaskedGlobalAveragePooling1D);
tf.serialization.registerClass(MaskDroppingGlobalMaxPooling1D);
