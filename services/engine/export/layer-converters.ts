// Registry of Keras-layer → TFLite-op converters. Each converter appends float ops to the IR
// graph; plugins add converters for their own layers with `registerLayerConverter`.
import type { tf } from '../backend/index.ts';
import type { IrGraph } from './ir.ts';
import type { ActivationName } from './tflite-schema.ts';

export interface LayerWeight {
  shape: number[];
  values: Float32Array;
}

export interface LayerConversion {
  layer: tf.layers.Layer;
  className: string;
  /** `layer.getConfig()`. */
  config: Record<string, any>;
  graph: IrGraph;
  /** IR tensor ids of the layer's inputs, in call order. */
  inputs: number[];
  /** Keras output shapes with -1 for the batch (and any unknown) dimension. */
  outputShapes: number[][];
  /** Weight by its short name ('kernel', 'bias', 'gamma', 'depthwise_kernel', ...). */
  weight(name: string): LayerWeight | undefined;
  requireWeight(name: string): LayerWeight;
}

/** Returns the IR tensor ids of the layer's outputs (same order as the Keras outputs). */
export type LayerConverter = (c: LayerConversion) => number[];

const converters = new Map<string, LayerConverter>();

export function registerLayerConverter(className: string, converter: LayerConverter): void {
  converters.set(className, converter);
}

export function getLayerConverter(className: string): LayerConverter | undefined {
  return converters.get(className);
}

export function registeredLayerClasses(): string[] {
  return [...converters.keys()].sort();
}

/** Error for a layer or a layer setting the exporter cannot express. */
export class UnsupportedLayerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsupportedLayerError';
  }
}

/** Fused activation for a Keras activation name, or undefined when it needs its own op. */
export function fusedActivation(name: string | undefined): ActivationName | undefined {
  switch (name ?? 'linear') {
    case 'linear': return 'NONE';
    case 'relu': return 'RELU';
    case 'relu6': return 'RELU6';
    default: return undefined;
  }
}

/** Appends the op for a standalone Keras activation; returns the input itself for 'linear'. */
export function appendActivation(c: LayerConversion, x: number, name: string, outName: string): number {
  const shape = c.graph.tensors[x].shape;
  switch (name) {
    case 'linear': return x;
    case 'relu': return c.graph.addOp('RELU', [x], outName, shape);
    case 'relu6': return c.graph.addOp('RELU6', [x], outName, shape);
    case 'sigmoid': return c.graph.addOp('LOGISTIC', [x], outName, shape);
    case 'tanh': return c.graph.addOp('TANH', [x], outName, shape);
    case 'softmax': return c.graph.addOp('SOFTMAX', [x], outName, shape, { kind: 'SoftmaxOptions', beta: 1 });
    case 'elu': return c.graph.addOp('ELU', [x], outName, shape);
    case 'hardSwish': return c.graph.addOp('HARD_SWISH', [x], outName, shape, { kind: 'HardSwishOptions' });
    case 'swish': { // x · sigmoid(x) (Keras 2 `swish`, Keras 3 `silu`)
      const gate = c.graph.addOp('LOGISTIC', [x], `${outName}/sigmoid`, shape);
      return c.graph.addOp('MUL', [x, gate], outName, shape, { kind: 'MulOptions', activation: 'NONE' });
    }
    default:
      throw new UnsupportedLayerError(`layer '${c.layer.name}' (${c.className}): activation '${name}' is not supported for TFLite export`);
  }
}

/** An op with optional fused activation, then a separate activation op when it cannot be fused. */
export function withActivation(c: LayerConversion, activation: string | undefined, emit: (fused: ActivationName) => number): number {
  const fused = fusedActivation(activation);
  if (fused) return emit(fused);
  return appendActivation(c, emit('NONE'), activation ?? 'linear', `${c.layer.name}/${activation}`);
}

/** A Keras axis (negative, positive, or a one-element list as Keras 2 writes it) → 0..rank-1. */
export function normalizeAxis(axis: number | number[], rank: number): number {
  const a = Array.isArray(axis) && axis.length === 1 ? axis[0] : axis;
  if (typeof a !== 'number') throw new UnsupportedLayerError(`axis ${JSON.stringify(axis)} is not a single axis`);
  return a < 0 ? a + rank : a;
}
