// The `LshProjection` tfjs layer (since SDK 1.5.0): input samples → 0/1 bits of TFLite's
// LSH_PROJECTION (DENSE), computed in JavaScript with the ported farmhash — or, with `inFrontEnd`,
// the bits themselves as input (the app's front end hashed; the layer is an identity then). No
// trainable weights and no gradient (nothing before it trains). A host-provided layer: the engine
// registers this class in every process that loads models (services/engine/layers/lsh-projection.ts)
// and its exporter turns it into the builtin op (services/engine/export/converters/lsh-projection.ts),
// so a plugin (projection) builds it and lists it in manifest.customLayers, and none of the
// plugin's own code has to run in the server.
import type { Tensor, Tf } from '../tf.ts';
import { lshProjectBatch, type LshInputMode } from './project.ts';
import type { TextFeaturizerConfig } from './featurize.ts';

export const LSH_PROJECTION_CLASS = 'LshProjection';

export interface LshProjectionLayerArgs {
  numHash: number;
  numBits: number;
  inputMode: LshInputMode;
  /** Text mode: the featuriser that produced the input (kept in the layer config so whoever
   * loads the model can featurise raw text: see services/engine/text `textFeaturizerOfModel`). */
  featurizer?: TextFeaturizerConfig;
  /** Text mode: the bits are computed by the front end (the app) and are this layer's input; the
   * layer is then an identity that keeps the projection's parameters for whoever loads the model. */
  inFrontEnd?: boolean;
  name?: string;
  inputShape?: number[];
}

type LayerCtor = new (args: LshProjectionLayerArgs) => InstanceType<Tf['layers']['Layer']>;
const classes = new WeakMap<object, LayerCtor>();

/** The layer class bound to a tfjs namespace (one class per namespace, created once). */
export function lshProjectionLayerClass(tf: Tf): LayerCtor {
  const known = classes.get(tf);
  if (known) return known;
  class LshProjection extends tf.layers.Layer {
    static className = LSH_PROJECTION_CLASS;
    readonly numHash: number;
    readonly numBits: number;
    readonly inputMode: LshInputMode;
    readonly featurizer?: TextFeaturizerConfig;
    readonly inFrontEnd: boolean;

    constructor(args: LshProjectionLayerArgs) {
      super(args);
      this.numHash = args.numHash;
      this.numBits = args.numBits;
      this.inputMode = args.inputMode;
      this.featurizer = args.featurizer;
      this.inFrontEnd = args.inFrontEnd === true;
      this.trainable = false;
    }

    computeOutputShape(inputShape: (number | null)[] | (number | null)[][]): (number | null)[] {
      const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as (number | null)[];
      return [shape[0], this.numHash * this.numBits];
    }

    call(inputs: Tensor | Tensor[]): Tensor {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      if (this.inFrontEnd) return tf.reshape(x, [-1, this.numHash * this.numBits]);
      const batch = x.shape[0] ?? 1;
      const sampleSize = x.size / Math.max(batch, 1);
      const bits = lshProjectBatch(x.dataSync() as Float32Array, batch, sampleSize, this);
      return tf.tensor2d(bits, [batch, this.numHash * this.numBits]);
    }

    getConfig() {
      return { ...super.getConfig(), numHash: this.numHash, numBits: this.numBits, inputMode: this.inputMode, ...(this.inFrontEnd ? { inFrontEnd: true } : {}), ...(this.featurizer ? { featurizer: { ...this.featurizer } as Record<string, number | number[]> } : {}) };
    }
  }
  classes.set(tf, LshProjection as unknown as LayerCtor);
  return LshProjection as unknown as LayerCtor;
}
