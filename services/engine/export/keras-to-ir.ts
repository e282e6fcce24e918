// Walks a tfjs LayersModel (Sequential or functional) from its outputs back to its inputs and
// asks each layer's registered converter for float IR ops.
import { tf } from '../backend/index.ts';
import { IrGraph } from './ir.ts';
import { getLayerConverter, UnsupportedLayerError, type LayerWeight } from './layer-converters.ts';
import './converters/index.ts';

type SymbolicTensor = tf.SymbolicTensor;
const LayersModelClass = tf.LayersModel;

function irShape(shape: (number | null)[], what: string): number[] {
  const out = shape.map((d, i) => (d === null || d === undefined ? (i === 0 ? -1 : NaN) : d));
  if (out.some((d) => Number.isNaN(d))) {
    throw new UnsupportedLayerError(`${what} has an unknown dimension in [${shape.map((d) => d ?? 'null')}]; pass inputShape to the exporter`);
  }
  return out;
}

function layerWeights(layer: tf.layers.Layer): Map<string, LayerWeight> {
  const map = new Map<string, LayerWeight>();
  for (const w of layer.weights) {
    const shortName = w.name.split('/').pop()!.replace(/_\d+$/, '');
    const values = w.read().dataSync() as Float32Array;
    map.set(shortName, { shape: w.shape.map((d) => d ?? -1), values: Float32Array.from(values) });
  }
  return map;
}

/** Appends the ops of `model` applied to the IR tensors `inputs`; returns its output tensor ids. */
function convertModelGraph(graph: IrGraph, model: tf.LayersModel, inputs: number[]): number[] {
  // Symbolic tensor id → IR tensor id, scoped to this (possibly nested) model call.
  const known = new Map<number, number>();
  if (inputs.length !== model.inputs.length) {
    throw new UnsupportedLayerError(`model '${model.name}' takes ${model.inputs.length} inputs, got ${inputs.length}`);
  }
  model.inputs.forEach((input, i) => known.set(input.id, inputs[i]));

  const resolve = (st: SymbolicTensor): number => {
    const done = known.get(st.id);
    if (done !== undefined) return done;
    const layer = st.sourceLayer;
    const node = layer.inboundNodes[st.nodeIndex];
    if (!node) throw new UnsupportedLayerError(`cannot trace the graph at layer '${layer.name}'`);
    const layerInputs = node.inputTensors.map(resolve);
    const className = layer.getClassName();
    if (className === 'InputLayer') throw new UnsupportedLayerError(`input layer '${layer.name}' is not a model input`);
    let outputs: number[];
    if (layer instanceof LayersModelClass && !getLayerConverter(className)) {
      outputs = convertModelGraph(graph, layer as tf.LayersModel, layerInputs); // nested model: inline it
    } else {
      outputs = convertLayer(graph, layer, className, layerInputs, node.outputTensors);
    }
    if (outputs.length !== node.outputTensors.length) {
      throw new Error(`converter for ${className} returned ${outputs.length} outputs, expected ${node.outputTensors.length}`);
    }
    node.outputTensors.forEach((o, i) => known.set(o.id, outputs[i]));
    if (outputs.length === 1) graph.nameLayerOutput(outputs[0], layer.name);
    return known.get(st.id)!;
  };
  return model.outputs.map(resolve);
}

function convertLayer(graph: IrGraph, layer: tf.layers.Layer, className: string, inputs: number[], outputTensors: SymbolicTensor[]): number[] {
  const converter = getLayerConverter(className);
  if (!converter) {
    throw new UnsupportedLayerError(`layer '${layer.name}' of type ${className} is not supported for TFLite export`);
  }
  const weights = layerWeights(layer);
  // Unknown (non-batch) output dims are resolved by the converter from its input shapes.
  const outputShapes = outputTensors.map((o) => o.shape.map((d, i) => (d === null || i === 0 ? -1 : d)));
  const before = graph.ops.length;
  const outputs = converter({
    layer,
    className,
    config: layer.getConfig() as Record<string, any>,
    graph,
    inputs,
    outputShapes,
    weight: (name) => weights.get(name),
    requireWeight: (name) => {
      const w = weights.get(name);
      if (!w) throw new UnsupportedLayerError(`layer '${layer.name}' (${className}) has no weight '${name}'`);
      return w;
    },
  });
  for (const op of graph.ops.slice(before)) op.layer ??= layer.name;
  return outputs;
}

/**
 * Converts `model` (Sequential or functional, nested models inlined) into an IR graph.
 * `inputShape` (per-sample, without batch) fills in unknown input dimensions for single-input models.
 */
export function kerasToIr(model: tf.LayersModel, inputShape?: number[]): IrGraph {
  const graph = new IrGraph();
  graph.inputs = model.inputs.map((input, i) => {
    const given = inputShape && model.inputs.length === 1 ? [-1, ...inputShape] : undefined;
    const shape = given ?? irShape(input.shape, `model input '${input.name}'`);
    return graph.addTensor(input.sourceLayer?.name ?? `input_${i}`, shape);
  });
  graph.outputs = convertModelGraph(graph, model, graph.inputs);
  return graph;
}
