// The layer graph of a Keras functional config: inbound nodes as Keras 2 (`[[name, node, tensor,
// kwargs]]`) and Keras 3 (`{args: [__keras_tensor__ …]}`) write them, model endpoints, and nested
// models — a Functional or Sequential model used as a layer (e.g. a Keras Applications backbone
// under a new head) — inlined into one flat functional graph, as the exporter inlines them too.
import { ModelImportError } from './errors.ts';

type Json = any;
type Ref = [string, number, number, Json];

function isObject(value: unknown): value is Record<string, Json> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function normalizeInboundNode(node: Json, layerName: string): Json[] {
  if (Array.isArray(node)) {
    return node.map((entry) => {
      if (!Array.isArray(entry) || typeof entry[0] !== 'string') throw new ModelImportError(`layer "${layerName}" has a malformed inbound node`);
      return [entry[0], entry[1] ?? 0, entry[2] ?? 0, isObject(entry[3]) ? entry[3] : {}];
    });
  }
  if (!isObject(node) || !Array.isArray(node.args)) throw new ModelImportError(`layer "${layerName}" has a malformed inbound node`);
  const refs: Json[] = [];
  const visit = (value: Json): void => {
    if (Array.isArray(value)) value.forEach(visit);
    else if (isObject(value)) {
      if (value.class_name === '__keras_tensor__') {
        const history = value.config?.keras_history;
        if (!Array.isArray(history)) throw new ModelImportError(`layer "${layerName}" has an input without keras_history`);
        refs.push([history[0], history[1], history[2], {}]);
      } else Object.values(value).forEach(visit);
    }
  };
  visit(node.args);
  if (refs.length === 0) throw new ModelImportError(`layer "${layerName}" has an inbound node without input tensors`);
  return refs;
}

export function normalizeEndpoints(value: Json, what: string): Json[] {
  if (Array.isArray(value) && typeof value[0] === 'string') return [value];
  if (Array.isArray(value)) return value.map((v) => normalizeEndpoints(v, what)).flat();
  if (isObject(value)) return Object.values(value).map((v) => normalizeEndpoints(v, what)).flat();
  throw new ModelImportError(`model config has malformed ${what}`);
}

const NESTED = new Set(['Functional', 'Model', 'Sequential']);

function isNestedModel(layer: Json): boolean {
  return isObject(layer) && NESTED.has(layer.class_name) && (Array.isArray(layer.config?.layers) || Array.isArray(layer.config));
}

const nameOf = (layer: Json, i: number): string => layer?.name ?? layer?.config?.name ?? `layer_${i}`;

interface FunctionalGraph {
  name: string;
  layers: Json[];
  inputs: Ref[];
  outputs: Ref[];
}

function shapeOf(value: Json): Json[] | undefined {
  if (Array.isArray(value) && value.every((d) => d === null || typeof d === 'number')) return value;
  if (isObject(value)) return shapeOf(value.input_shape ?? value.batch_input_shape ?? value.batch_shape);
  return undefined;
}

/** A model config (Functional or Sequential) as a functional graph with explicit inbound nodes. */
function asGraph(model: Json, fallbackName: string): FunctionalGraph {
  const config = Array.isArray(model.config) ? { layers: model.config } : model.config;
  const name = config.name ?? model.name ?? fallbackName;
  if (model.class_name !== 'Sequential') {
    return {
      name,
      layers: config.layers.map((l: Json, i: number) => ({ ...l, name: nameOf(l, i), inbound_nodes: (l.inbound_nodes ?? []).map((n: Json) => normalizeInboundNode(n, nameOf(l, i))) })),
      inputs: normalizeEndpoints(config.input_layers, 'input_layers') as Ref[],
      outputs: normalizeEndpoints(config.output_layers, 'output_layers') as Ref[],
    };
  }
  // Sequential: a chain. Its input is its InputLayer, a nested model's own input, or built from
  // the shapes Keras records (batch_input_shape on the first layer, build_input_shape, build_config).
  const layers: Json[] = [];
  let previous: string | undefined;
  let inputs: Ref[] = [];
  config.layers.forEach((l: Json, i: number) => {
    const layerName = nameOf(l, i);
    if (i === 0 && l.class_name === 'InputLayer') {
      layers.push({ ...l, name: layerName, inbound_nodes: [] });
      inputs = [[layerName, 0, 0, {}]];
    } else if (i === 0 && isNestedModel(l)) {
      layers.push({ ...l, name: layerName, inbound_nodes: [] }); // keeps its own input
      inputs = [[layerName, 0, 0, {}]];
    } else {
      if (i === 0) {
        const shape = shapeOf(l.config) ?? shapeOf(config.build_input_shape) ?? shapeOf(model.build_config) ?? shapeOf(l.build_config);
        if (!shape) throw new ModelImportError(`Sequential model "${name}" has no input shape (no InputLayer, batch_input_shape or build_input_shape)`);
        const batchShape = l.config?.batch_input_shape ?? (shape.length > 0 && shape[0] === null ? shape : [null, ...shape]);
        const inputName = `${name}_input`;
        layers.push({ class_name: 'InputLayer', name: inputName, config: { batch_input_shape: batchShape, dtype: 'float32', sparse: false, name: inputName }, inbound_nodes: [] });
        inputs = [[inputName, 0, 0, {}]];
        previous = inputName;
      }
      layers.push({ ...l, name: layerName, inbound_nodes: previous ? [[[previous, 0, 0, {}]]] : [] });
    }
    previous = layerName;
  });
  return { name, layers, inputs, outputs: previous ? [[previous, 0, 0, {}]] : [] };
}

/** Inlines every nested model of `graph` (recursively). */
function flatten(graph: FunctionalGraph, notes: string[]): FunctionalGraph {
  const outputsOf = new Map<string, Ref[]>();
  const inputsOf = new Map<string, Ref[]>();
  const resolve = (ref: Ref): Ref => {
    const outputs = outputsOf.get(ref[0]);
    if (!outputs) return ref;
    const out = outputs[ref[2] ?? 0];
    if (!out) throw new ModelImportError(`a layer reads output ${ref[2]} of nested model "${ref[0]}", which has ${outputs.length}`);
    return [out[0], out[1], out[2], ref[3] ?? {}];
  };
  const layers: Json[] = [];
  for (const layer of graph.layers) {
    const nodes: Ref[][] = layer.inbound_nodes.map((node: Ref[]) => node.map(resolve));
    if (!isNestedModel(layer)) {
      layers.push({ ...layer, inbound_nodes: nodes });
      continue;
    }
    if (nodes.length > 1) {
      throw new ModelImportError(`nested model "${layer.name}" is called ${nodes.length} times; only nested models used once can be imported (save the model with the shared part called once)`);
    }
    const inner = flatten(asGraph(layer, layer.name), notes);
    const args = nodes[0];
    if (args && args.length !== inner.inputs.length) {
      throw new ModelImportError(`nested model "${layer.name}" takes ${inner.inputs.length} inputs but is called with ${args.length}`);
    }
    const substitute = new Map(args ? inner.inputs.map((r, i) => [r[0], args[i]] as const) : []);
    for (const innerLayer of inner.layers) {
      if (substitute.has(innerLayer.name) && innerLayer.class_name === 'InputLayer') continue;
      layers.push({ ...innerLayer, inbound_nodes: innerLayer.inbound_nodes.map((node: Ref[]) => node.map((r) => substitute.get(r[0]) ?? r)) });
    }
    outputsOf.set(layer.name, inner.outputs);
    if (!args) inputsOf.set(layer.name, inner.inputs);
    notes.push(`nested model "${layer.name}" (${layer.class_name}) flattened into its ${inner.layers.length - substitute.size} layers`);
  }
  const seen = new Set<string>();
  for (const l of layers) {
    if (seen.has(l.name)) throw new ModelImportError(`layer name "${l.name}" appears in the model and in a nested model; rename one before saving`);
    seen.add(l.name);
  }
  return {
    name: graph.name,
    layers,
    inputs: graph.inputs.flatMap((r) => inputsOf.get(r[0]) ?? [r]),
    outputs: graph.outputs.map(resolve),
  };
}

/**
 * The model config with every nested model (a Functional or Sequential model among its layers)
 * inlined: a Functional config of the same layers. Configs without nested models come back as
 * they are.
 */
export function flattenNestedModels(raw: Json, notes: string[]): Json {
  const config = Array.isArray(raw.config) ? { layers: raw.config } : raw.config;
  if (!isObject(config) || !Array.isArray(config.layers) || !config.layers.some(isNestedModel)) return raw;
  const flat = flatten(asGraph(raw, 'model'), notes);
  return {
    class_name: 'Functional',
    config: {
      name: flat.name,
      layers: flat.layers,
      input_layers: flat.inputs.map((r) => [r[0], r[1], r[2]]),
      output_layers: flat.outputs.map((r) => [r[0], r[1], r[2]]),
    },
  };
}
