// Keras `Normalization` (preprocessing): y = (x − mean) / max(√variance, 1e-7) along the last
// axis, or its inverse with `invert`. Mean and variance come from the layer's weights (after
// `adapt`) or from its config; the weights are not trainable. The exporter folds it into the
// input as one MUL and one ADD.
import * as tf from '@tensorflow/tfjs';

interface NormalizationArgs {
  name?: string;
  trainable?: boolean;
  axis?: number | null;
  mean?: number | number[] | null;
  variance?: number | number[] | null;
  invert?: boolean;
}

const EPSILON = 1e-7; // keras.backend.epsilon()

function asList(v: number | number[] | null | undefined): number[] | undefined {
  if (v === null || v === undefined) return undefined;
  return Array.isArray(v) ? v.flat(Infinity as 1) as number[] : [v];
}

export class Normalization extends tf.layers.Layer {
  static className = 'Normalization';
  readonly axis: number;
  readonly invert: boolean;
  private readonly configMean?: number[];
  private readonly configVariance?: number[];
  private mean?: tf.LayerVariable;
  private variance?: tf.LayerVariable;

  constructor(args: NormalizationArgs) {
    super(args);
    this.axis = args.axis ?? -1;
    this.invert = Boolean(args.invert);
    this.configMean = asList(args.mean);
    this.configVariance = asList(args.variance);
    if ((this.configMean === undefined) !== (this.configVariance === undefined)) {
      throw new Error(`layer '${this.name}' (Normalization): give both mean and variance or neither`);
    }
  }

  build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = inputShape as tf.Shape;
    const axis = this.axis < 0 ? this.axis + shape.length : this.axis;
    if (axis !== shape.length - 1) throw new Error(`layer '${this.name}' (Normalization): only the last axis is supported, got axis ${this.axis}`);
    const channels = shape[axis] as number;
    if (this.configMean === undefined) {
      this.mean = this.addWeight('mean', [channels], 'float32', tf.initializers.zeros(), undefined, false);
      this.variance = this.addWeight('variance', [channels], 'float32', tf.initializers.ones(), undefined, false);
      this.addWeight('count', [], 'float32', tf.initializers.zeros(), undefined, false);
    }
    this.built = true;
  }

  /** Per-channel mean and variance (config values broadcast to `channels`). */
  statistics(channels: number): { mean: Float32Array; variance: Float32Array } {
    const fill = (values: number[]) => Float32Array.from({ length: channels }, (_, i) => values[values.length === 1 ? 0 : i]);
    if (this.configMean && this.configVariance) return { mean: fill(this.configMean), variance: fill(this.configVariance) };
    return { mean: this.mean!.read().dataSync() as Float32Array, variance: this.variance!.read().dataSync() as Float32Array };
  }

  computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return inputShape;
  }

  call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      const channels = x.shape[x.shape.length - 1];
      const mean = this.mean ? this.mean.read() : tf.tensor1d(this.statistics(channels).mean);
      const variance = this.variance ? this.variance.read() : tf.tensor1d(this.statistics(channels).variance);
      const std = tf.maximum(tf.sqrt(variance), EPSILON);
      return this.invert ? tf.add(tf.mul(x, std), mean) : tf.div(tf.sub(x, mean), std);
    });
  }

  getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(), axis: this.axis, invert: this.invert,
      ...(this.configMean ? { mean: this.configMean, variance: this.configVariance! } : {}),
    };
  }
}

tf.serialization.registerClass(Normalization);
