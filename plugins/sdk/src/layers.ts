// Extension points for plugins whose models contain their own layer types (e.g. a projection
// layer): register the tfjs class so models (de)serialise, and a converter so the host's TFLite
// exporter can express the layer as builtin ops.
import type { Tf } from './tf.ts';

/** Options of a TFLite op, e.g. { kind: 'FullyConnectedOptions', activation: 'NONE' }. */
export type TfliteOpOptions = { kind: string } & Record<string, unknown>;

/** The float export graph a converter appends ops to (quantization happens afterwards). */
export interface TfliteGraph {
  readonly tensors: ReadonlyArray<{ id: number; name: string; shape: number[] }>;
  /** A float constant (weights); returns its tensor id. */
  addConstant(name: string, shape: number[], value: Float32Array): number;
  /** An int32 constant (shapes, axes); returns its tensor id. */
  addIntConstant(name: string, values: number[]): number;
  /** Appends builtin op `type` (e.g. 'FULLY_CONNECTED') writing a new tensor; returns its id.
   * Use -1 for the batch dimension in shapes. */
  addOp(type: string, inputs: number[], outputName: string, outputShape: number[], options?: TfliteOpOptions): number;
}

export interface TfliteLayerWeight {
  shape: number[];
  values: Float32Array;
}

/** What a converter gets for one layer instance. */
export interface TfliteLayerConversion {
  layer: unknown;
  className: string;
  /** `layer.getConfig()`. */
  config: Record<string, any>;
  graph: TfliteGraph;
  /** Tensor ids of the layer's inputs, in call order. */
  inputs: number[];
  /** Output shapes with -1 for the batch dimension. */
  outputShapes: number[][];
  /** A weight by short name ('kernel', 'bias', …). */
  weight(name: string): TfliteLayerWeight | undefined;
  requireWeight(name: string): TfliteLayerWeight;
}

/** Returns the tensor ids of the layer's outputs. */
export type TfliteLayerConverter = (conversion: TfliteLayerConversion) => number[];

/** Handed to `hooks.registerLayers`. */
export interface LayerRegistry {
  tf: Tf;
  /** Registers a tfjs layer class for (de)serialisation (tf.serialization.registerClass). */
  registerClass(cls: Parameters<Tf['serialization']['registerClass']>[0]): void;
  /** Registers how the TFLite exporter converts layers of `className`. */
  registerTfliteConverter(className: string, converter: TfliteLayerConverter): void;
}
