// Walks a tfjs LayersModel (Sequential or functional) from its outputs back to its inputs and
// asks each layer's registered converter for float IR ops.
import type { tf } from '../backend/index.ts';
import { IrGraph } from './ir.ts';
import { getLayerConverter, UnsupportedLayerError, type LayerWeight } from './layer-converters.ts';
import './converters/index.ts';

type SymbolicTensor = tf.SymbolicTensor;

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

/**
 * Converts `model` into an IR graph. `inputShape` (per-sample, without batch) fills in unknown
 * input dimensions for single-input models.
 */
export function kerasToIr(model: tf.LayersModel, inputShape?: number[]): IrGraph {
  const graph = new IrGraph();
  const known = new Map<number, number>(); // symbolic tensor id → IR tensor id
  const shapeOf = new Map<number, number[]>();

  model.inputs.forEach((input, i) => {
    const given = inputShape && model.inputs.length === 1 ? [-1, ...inputShape] : undefined;
    const shape = given ?? irShape(input.shape, `model input '${input.name}'`);
    const id = graph.addTensor(input.sourceLayer?.name ?? `input_${i}`, shape);
    graph.inputs.push(id);
    known.set(input.id, id);
    shapeOf.set(input.id, shape);
  });

  const resolve = (st: SymbolicTensor): number => {
    const done = known.get(st.id);
    if (done !== undefined) return done;
    const layer = st.sourceLayer;
    const node = layer.inboundNodes[st.nodeIndex];
    if (!node) throw new UnsupportedLayerError(`cannot trace the graph at layer '${layer.name}'`);
    const inputs = node.inputTensors.map(resolve);
    const className = layer.getClassName();
    if (className === 'InputLayer') throw new UnsupportedLayerError(`input layer '${layer.name}' is not a model input`);
    const converter = getLayerConverter(className);
    if (!converter) {
      throw new UnsupportedLayerError(`layer '${layer.name}' of type ${className} is not supported for TFLite export`);
    }
    const weights = layerWeights(layer);
    // Unknown (non-batch) output dims are resolved by the converter from its input shapes.
    const outputShapes = node.outputTensors.map((o) => o.shape.map((d, i) => (d === null || i === 0 ? -1 : d)));
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
    if (outputs.length !== node.outputTensors.length) {
      throw new Error(`converter for ${className} returned ${outputs.length} outputs, expected ${node.outputTensors.length}`);
    }
    node.outputTensors.forEach((o, i) => known.set(o.id, outputs[i]));
    return known.get(st.id)!;
  };

  graph.outputs = model.outputs.map(resolve);
  return graph;
}
