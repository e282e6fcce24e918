// Layers beyond tfjs's own in plugins' models. No plugin code runs in the server, so a candidate
// may contain only layers the host itself provides (HOST_LAYERS: their classes and TFLite
// converters are the engine's); a plugin lists the ones its candidates use in
// `manifest.customLayers`. `hooks.registerLayers` registers layers a plugin uses inside its own
// sandboxed process only (e.g. while training, or for its own ctx.export calls).
import type { Tf } from './tf.ts';
import { LSH_PROJECTION_CLASS } from './text/layer.ts';

/** Class names of the layers the host provides (since SDK 1.5.0): the classes are in this SDK
 * (e.g. `lshProjectionLayerClass(tf)`), and the host registers them and converts them to TFLite
 * in every process. The only values `manifest.customLayers` may hold. */
export const HOST_LAYERS: readonly string[] = Object.freeze([LSH_PROJECTION_CLASS]);

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

/** Handed to `hooks.registerLayers` (inside the plugin's own process only). */
export interface LayerRegistry {
  tf: Tf;
  /** Registers a tfjs layer class for (de)serialisation (tf.serialization.registerClass). */
  registerClass(cls: Parameters<Tf['serialization']['registerClass']>[0]): void;
  /** Registers how the TFLite exporter converts layers of `className`. */
  registerTfliteConverter(className: string, converter: TfliteLayerConverter): void;
}
