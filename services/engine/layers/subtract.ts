// Keras `Subtract` (a − b of two same-shaped tensors); tfjs-layers has Add, Multiply, Maximum,
// Minimum, Average but no Subtract.
import * as tf from '@tensorflow/tfjs';

export class Subtract extends tf.layers.Layer {
  static className = 'Subtract';

  computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const shapes = inputShape as tf.Shape[];
    if (!Array.isArray(shapes[0]) || shapes.length !== 2) throw new Error(`layer '${this.name}' (Subtract) needs exactly two inputs`);
    return shapes[0];
  }

  call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const list = inputs as tf.Tensor[];
      return tf.sub(list[0], list[1]);
    });
  }
}

tf.serialization.registerClass(Subtract);
