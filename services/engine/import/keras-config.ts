// Normalises a Keras 2 or Keras 3 model config to the Keras-2-style JSON that tfjs-layers'
// `tf.models.modelFromJSON` reads. Keras 3 differences handled here: DTypePolicy objects as
// `dtype`, `batch_shape` on InputLayer, `module`/`registered_name`/`build_config` keys, the
// InputLayer inside Sequential configs, `{args, kwargs}` inbound nodes with `keras_history`,
// flat `input_layers`/`output_layers` for single tensors, and renamed layer options.
import { ModelImportError } from './errors.ts';
import { normalizeTrainingOptions, singleAxis } from './keras-options.ts';
import { flattenNestedModels, normalizeEndpoints, normalizeInboundNode } from './keras-graph.ts';
import { canonicalLayerClass, rejectUnsupportedLayers, supportedActivation } from './supported.ts';

type Json = any;

export interface NormalizedModel {
  /** `{ class_name, config }` as tfjs-layers reads it. */
  topology: { class_name: string; config: Json };
  /** Canonical layer class names in model order (with repeats). */
  layerClasses: string[];
  /** What was dropped or rewritten on the way (one line each, layer named). */
  notes: string[];
}

const DROPPED_KEYS = new Set(['module', 'registered_name', 'build_config', 'compile_config', 'shared_object_id']);

function isObject(value: unknown): value is Record<string, Json> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Keras 3 DTypePolicy (or a mixed policy) → the variable dtype tfjs understands. */
function dtypeName(value: Json): Json {
  if (!isObject(value)) return value;
  const name = value.config?.name ?? value.name;
  if (typeof name !== 'string') return 'float32';
  if (name.startsWith('mixed_') || name === 'float16' || name === 'bfloat16' || name === 'float64') return 'float32';
  return name;
}

/** Recursively drops Keras 3 serialization keys and flattens dtype policies. */
function clean(value: Json): Json {
  if (Array.isArray(value)) return value.map(clean);
  if (!isObject(value)) return value;
  const out: Record<string, Json> = {};
  for (const [key, inner] of Object.entries(value)) {
    if (DROPPED_KEYS.has(key)) continue;
    out[key] = key === 'dtype' ? dtypeName(inner) : clean(inner);
  }
  return out;
}

function unsupportedOption(layer: string, className: string, option: string, value: Json): never {
  throw new ModelImportError(`layer "${layer}" (${className}) uses ${option}=${JSON.stringify(value)}, which TF.js layers cannot run`);
}

/** Per-class config fixes; `config` is already cleaned. Notes on what was dropped go to `notes`. */
function normalizeLayerConfig(className: string, config: Record<string, Json>, layerName: string, notes: string[]): Record<string, Json> {
  const c: Record<string, Json> = { ...config, name: config.name ?? layerName };
  notes.push(...normalizeTrainingOptions(c, layerName));
  if ('axis' in c && c.axis !== null) c.axis = singleAxis(c.axis, layerName, className);
  if ('activation' in c) c.activation = supportedActivation(c.activation, layerName);
  if ('recurrent_activation' in c) c.recurrent_activation = supportedActivation(c.recurrent_activation, layerName);
  // Keras' GRU default (reset_after=True, the cuDNN variant) is a different cell than TF.js's GRU:
  // engine/layers/gru-reset-after.ts rebuilds it (an absent reset_after means Keras' default, True).
  if (className === 'GRU') c.reset_after = c.reset_after !== false;
  else delete c.reset_after;
  // Bidirectional wraps a recurrent layer's config: the same fixes apply inside.
  if (className === 'Bidirectional' && isObject(c.layer) && typeof c.layer.class_name === 'string') {
    const inner = canonicalLayerClass(c.layer.class_name);
    if (inner !== 'LSTM' && inner !== 'GRU') throw new ModelImportError(`layer "${layerName}" (Bidirectional) wraps ${inner}; only LSTM and GRU are supported inside Bidirectional`);
    c.layer = { ...c.layer, class_name: inner, config: normalizeLayerConfig(inner, clean(c.layer.config ?? {}), `${layerName}/${inner}`, notes) };
    delete c.backward_layer;
  }
  if (c.lora_rank) unsupportedOption(layerName, className, 'lora_rank', c.lora_rank);
  if (c.quantization_config) unsupportedOption(layerName, className, 'quantization_config', 'set');
  delete c.lora_rank;
  delete c.lora_alpha;
  delete c.quantization_config;
  switch (className) {
    case 'InputLayer': {
      if (c.sparse) unsupportedOption(layerName, className, 'sparse', true);
      if (c.ragged) unsupportedOption(layerName, className, 'ragged', true);
      if (c.batch_shape !== undefined) c.batch_input_shape = c.batch_shape;
      else if (c.batch_input_shape === undefined && c.shape !== undefined) c.batch_input_shape = [c.batch_size ?? null, ...c.shape];
      else if (c.batch_input_shape === undefined && c.input_shape !== undefined) c.batch_input_shape = [c.batch_size ?? null, ...c.input_shape];
      if (!Array.isArray(c.batch_input_shape)) throw new ModelImportError(`InputLayer "${layerName}" has no input shape`);
      for (const key of ['batch_shape', 'shape', 'input_shape', 'batch_size', 'ragged', 'optional', 'input_tensor']) delete c[key];
      c.sparse = false;
      c.dtype = c.dtype ?? 'float32';
      break;
    }
    case 'Conv1D':
    case 'Conv2D':
    case 'SeparableConv2D':
    case 'DepthwiseConv2D':
      if (c.groups !== undefined && c.groups !== 1) unsupportedOption(layerName, className, 'groups', c.groups);
      delete c.groups;
      break;
    case 'GlobalAveragePooling1D':
    case 'GlobalAveragePooling2D':
    case 'GlobalMaxPooling1D':
    case 'GlobalMaxPooling2D':
      if (c.keepdims) unsupportedOption(layerName, className, 'keepdims', true);
      delete c.keepdims;
      break;
    case 'ReLU':
      if (c.negative_slope) unsupportedOption(layerName, className, 'negative_slope', c.negative_slope);
      if (c.threshold) unsupportedOption(layerName, className, 'threshold', c.threshold);
      delete c.negative_slope;
      delete c.threshold;
      break;
    case 'LeakyReLU':
      if (c.negative_slope !== undefined) c.alpha = c.negative_slope;
      delete c.negative_slope;
      break;
    case 'BatchNormalization':
      if (c.renorm) unsupportedOption(layerName, className, 'renorm', true);
      delete c.synchronized;
      delete c.renorm;
      delete c.renorm_clipping;
      delete c.renorm_momentum;
      break;
    case 'Embedding':
      if (c.sparse) unsupportedOption(layerName, className, 'sparse', true);
      delete c.sparse;
      break;
    case 'Rescaling':
      if (Array.isArray(c.scale) || Array.isArray(c.offset)) unsupportedOption(layerName, className, 'per-channel scale/offset', c.scale);
      break;
  }
  return c;
}

function readShape(value: Json): (number | null)[] | undefined {
  if (Array.isArray(value) && value.every((d) => d === null || typeof d === 'number')) return value;
  if (isObject(value) && Array.isArray(value.input_shape)) return readShape(value.input_shape);
  return undefined;
}

/** One Keras 3 / Keras 2 inbound node → tfjs's `[[layer, nodeIndex, tensorIndex, kwargs], ...]`. */
/** Accepts a parsed or string Keras model config, or a TF.js `modelTopology` that wraps one. */
export function normalizeKerasModelConfig(input: Json, options: { alsoAllowed?: (className: string) => boolean } = {}): NormalizedModel {
  let raw = input;
  if (typeof raw === 'string') {
    try {
      raw = JSON.parse(raw);
    } catch {
      throw new ModelImportError('model config is not valid JSON');
    }
  }
  if (isObject(raw) && isObject(raw.model_config)) raw = raw.model_config;
  if (!isObject(raw) || typeof raw.class_name !== 'string') throw new ModelImportError('model config has no class_name');
  const notes: string[] = [];
  raw = flattenNestedModels(raw, notes);
  const modelClass = raw.class_name;
  const layerClasses: string[] = [];

  if (modelClass === 'Sequential') {
    const config = Array.isArray(raw.config) ? { layers: raw.config } : raw.config;
    if (!isObject(config) || !Array.isArray(config.layers)) throw new ModelImportError('Sequential config has no layers list');
    if (config.layers.length === 0) throw new ModelImportError('Sequential model has no layers');
    // Keras 3 may keep the input shape only in build configs; read it before they are dropped.
    const buildShape = readShape(config.build_input_shape) ?? readShape(raw.build_config) ?? readShape(config.layers[0]?.build_config);
    rejectUnsupportedLayers(config.layers.map((layer: Json, i: number) => ({ className: layer?.class_name, name: layer?.config?.name ?? `layer_${i}` })), options.alsoAllowed);
    const layers = config.layers.map((layer: Json, i: number) => {
      const name = layer?.config?.name ?? `layer_${i}`;
      const className = canonicalLayerClass(layer.class_name);
      layerClasses.push(className);
      return { class_name: className, config: normalizeLayerConfig(className, clean(layer.config ?? {}), name, notes) };
    });
    const first = layers[0].config;
    if (layers[0].class_name !== 'InputLayer' && first.batch_input_shape === undefined) {
      if (first.input_shape !== undefined) first.batch_input_shape = [null, ...first.input_shape];
      else if (buildShape) first.batch_input_shape = buildShape;
      else throw new ModelImportError('Sequential model has no input shape (no InputLayer, batch_input_shape or build_input_shape)');
    }
    return { topology: { class_name: 'Sequential', config: { name: config.name ?? 'sequential', layers } }, layerClasses, notes };
  }

  if (modelClass === 'Functional' || modelClass === 'Model') {
    const config = raw.config;
    if (!isObject(config) || !Array.isArray(config.layers)) throw new ModelImportError(`${modelClass} config has no layers list`);
    rejectUnsupportedLayers(config.layers.map((layer: Json, i: number) => ({ className: layer?.class_name, name: layer?.name ?? layer?.config?.name ?? `layer_${i}` })), options.alsoAllowed);
    const layers = config.layers.map((layer: Json, i: number) => {
      const name = layer?.name ?? layer?.config?.name ?? `layer_${i}`;
      const className = canonicalLayerClass(layer.class_name);
      layerClasses.push(className);
      const inbound = Array.isArray(layer.inbound_nodes) ? layer.inbound_nodes : [];
      return {
        class_name: className,
        name,
        config: normalizeLayerConfig(className, clean(layer.config ?? {}), name, notes),
        inbound_nodes: inbound.map((node: Json) => normalizeInboundNode(node, name)),
      };
    });
    return {
      topology: {
        class_name: 'Functional',
        config: {
          name: config.name ?? 'model',
          layers,
          input_layers: normalizeEndpoints(config.input_layers, 'input_layers'),
          output_layers: normalizeEndpoints(config.output_layers, 'output_layers'),
        },
      },
      layerClasses,
      notes,
    };
  }

  throw new ModelImportError(`model class ${modelClass} is not supported: only Sequential and Functional models can be imported (subclassed models have no config to rebuild from)`);
}
