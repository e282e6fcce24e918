// Keras' GRU with reset_after=True — the default of Keras 2.x and 3 (the cuDNN-compatible
// variant), which tfjs-layers 4.22 refuses ("GRUCell does not support reset_after"). Registered
// under the class name GRU: `fromConfig` builds this layer for resetAfter=true and tfjs's own GRU
// otherwise, so imported Keras models (and our own saved blobs) rebuild either variant.
// Keras' formulas (gate order z, r, h; bias [2, 3u]: row 0 the input bias, row 1 the recurrent bias):
//   x_z, x_r, x_h = x_t W + b_in ;  r_z, r_r, r_h = h U + b_rec
//   z = σ(x_z + r_z),  r = σ(x_r + r_r),  h̃ = tanh(x_h + r ⊙ r_h),  h = z ⊙ h + (1 − z) ⊙ h̃
// (reset_after=False applies r before the recurrent product: U_h (r ⊙ h)). Unrolled over the fixed
// number of steps with plain tf ops, so tfjs' autodiff trains it on any backend.
import * as tf from '@tensorflow/tfjs';

type Config = tf.serialization.ConfigDict;
const ACTIVATIONS: Record<string, (x: tf.Tensor) => tf.Tensor> = { tanh: tf.tanh, sigmoid: tf.sigmoid };

const TfjsGru = tf.layers.gru({ units: 1 }).constructor as unknown as {
  new (args: Config): tf.layers.Layer;
};

export class GRUResetAfter extends tf.layers.Layer {
  static className = 'GRU';
  readonly units: number;
  readonly activation: string;
  readonly recurrentActivation: string;
  readonly useBias: boolean;
  readonly returnSequences: boolean;
  readonly goBackwards: boolean;
  private kernel?: tf.LayerVariable;
  private recurrentKernel?: tf.LayerVariable;
  private bias?: tf.LayerVariable;

  constructor(args: Config) {
    super(args as object);
    this.units = args.units as number;
    this.activation = (args.activation as string | undefined) ?? 'tanh';
    this.recurrentActivation = (args.recurrentActivation as string | undefined) ?? 'sigmoid';
    for (const [key, value] of [['activation', this.activation], ['recurrent_activation', this.recurrentActivation]]) {
      if (!ACTIVATIONS[value]) throw new Error(`GRU (reset_after=True) '${this.name}': ${key} '${value}' is not supported (sigmoid, tanh)`);
    }
    for (const key of ['dropout', 'recurrentDropout'] as const) {
      if (args[key]) throw new Error(`GRU (reset_after=True) '${this.name}': ${key} ${String(args[key])} is not supported; set it to 0`);
    }
    if (args.returnState || args.stateful) throw new Error(`GRU (reset_after=True) '${this.name}': return_state and stateful are not supported`);
    this.useBias = args.useBias !== false;
    this.returnSequences = args.returnSequences === true;
    this.goBackwards = args.goBackwards === true;
  }

  /** tfjs' GRU for reset_after=False, this layer for reset_after=True. */
  static fromConfig<T extends tf.serialization.Serializable>(cls: tf.serialization.SerializableConstructor<T>, config: Config): T {
    return (config.resetAfter === true ? new GRUResetAfter(config) : new TfjsGru(config)) as unknown as T;
  }

  build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const features = shape[shape.length - 1] as number;
    const u = this.units;
    this.kernel = this.addWeight('kernel', [features, 3 * u], 'float32', tf.initializers.glorotUniform({}));
    this.recurrentKernel = this.addWeight('recurrent_kernel', [u, 3 * u], 'float32', tf.initializers.orthogonal({}));
    if (this.useBias) this.bias = this.addWeight('bias', [2, 3 * u], 'float32', tf.initializers.zeros());
    this.built = true;
  }

  computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const s = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    return this.returnSequences ? [s[0], s[1], this.units] : [s[0], this.units];
  }

  call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor3D;
      const [batch, steps, features] = x.shape;
      const u = this.units;
      const act = ACTIVATIONS[this.activation];
      const rec = ACTIVATIONS[this.recurrentActivation];
      const kernel = this.kernel!.read();
      const recurrent = this.recurrentKernel!.read();
      const [biasIn, biasRec] = this.bias ? tf.split(this.bias.read(), 2, 0).map((b) => tf.reshape(b, [3 * u])) : [tf.zeros([3 * u]), tf.zeros([3 * u])];
      // Input projections of every step at once: [batch·steps, 3u].
      const xw = tf.reshape(tf.add(tf.matMul(tf.reshape(x, [-1, features]), kernel), biasIn), [batch, steps, 3 * u]);
      let h: tf.Tensor = tf.zeros([batch, u]);
      const outputs: tf.Tensor[] = [];
      for (let s = 0; s < steps; s++) {
        const t = this.goBackwards ? steps - 1 - s : s;
        const [xz, xr, xh] = tf.split(tf.reshape(tf.slice(xw, [0, t, 0], [batch, 1, 3 * u]), [batch, 3 * u]), 3, 1);
        const [rz, rr, rh] = tf.split(tf.add(tf.matMul(h, recurrent), biasRec), 3, 1);
        const z = rec(tf.add(xz, rz));
        const r = rec(tf.add(xr, rr));
        const candidate = act(tf.add(xh, tf.mul(r, rh)));
        h = tf.add(candidate, tf.mul(z, tf.sub(h, candidate)));
        outputs.push(h);
      }
      // Keras returns a go_backwards sequence in processing order.
      return this.returnSequences ? tf.stack(outputs, 1) : h;
    });
  }

  getConfig(): Config {
    return {
      ...super.getConfig(),
      units: this.units, activation: this.activation, recurrentActivation: this.recurrentActivation, useBias: this.useBias,
      returnSequences: this.returnSequences, goBackwards: this.goBackwards, resetAfter: true,
    };
  }
}

tf.serialization.registerClass(GRUResetAfter);
