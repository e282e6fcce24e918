// Keras `SpatialDropout2D`: drops whole channels while training, identity at inference. tfjs
// has SpatialDropout1D only.
import * as tf from '@tensorflow/tfjs';

interface SpatialDropout2DArgs {
  rate: number;
  seed?: number | null;
  name?: string;
  trainable?: boolean;
  dataFormat?: string;
}

export class SpatialDropout2D extends tf.layers.Layer {
  static className = 'SpatialDropout2D';
  readonly rate: number;
  readonly seed: number | undefined;

  constructor(args: SpatialDropout2DArgs) {
    super(args);
    if (args.dataFormat && args.dataFormat !== 'channelsLast') throw new Error(`layer '${this.name}' (SpatialDropout2D): only channels_last is supported`);
    this.rate = Math.min(Math.max(Number(args.rate ?? 0), 0), 1);
    this.seed = args.seed ?? undefined;
  }

  computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return inputShape;
  }

  call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      if (!kwargs.training || this.rate <= 0) return tf.clone(x);
      const [n, , , c] = x.shape;
      const keep = tf.cast(tf.greaterEqual(tf.randomUniform([n, 1, 1, c], 0, 1, 'float32', this.seed), this.rate), 'float32');
      return tf.mul(x, tf.div(keep, 1 - this.rate));
    });
  }

  getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), rate: this.rate, ...(this.seed !== undefined ? { seed: this.seed } : {}) };
  }
}

tf.serialization.registerClass(SpatialDropout2D);
