// Keras 3's `hard_swish` / `hard_silu` activation: x · relu6(x + 3) / 6 (MobileNetV3).
// tfjs-layers resolves activation names through its serialization registry, so a class
// registered under the (camel-cased) name works wherever `activation: 'hardSwish'` appears.
import * as tf from '@tensorflow/tfjs';

export const HARD_SWISH = 'hardSwish';

export function hardSwish(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.mul(x, tf.div(tf.relu6(tf.add(x, 3)), 6)));
}

class HardSwish extends tf.serialization.Serializable {
  static className = HARD_SWISH;
  apply(x: tf.Tensor): tf.Tensor {
    return hardSwish(x);
  }
  getConfig(): tf.serialization.ConfigDict {
    return {};
  }
}

tf.serialization.registerClass(HardSwish);
