// Writes Keras model files the way Keras itself lays them out, so import tests read real
// structure rather than our own assumptions:
//  - Keras 2 `.h5` (keras/src/legacy/saving/legacy_h5_format.py): root attrs `backend`,
//    `keras_version`, `model_config` (JSON bytes); group `model_weights` with `layer_names`,
//    `backend`, `keras_version`; one group per layer (sorted by name) with `weight_names`; each
//    weight at `model_weights/<layer>/<layer>/<weight>:0`.
//  - Keras 3 legacy `.h5`: same, weight names are variable paths (`<layer>/<weight>`).
//  - Keras 3 `.keras` (keras/src/saving/saving_lib.py): zip of `metadata.json`, `config.json`,
//    `model.weights.h5` with `layers/<layer>/vars/<i>` datasets plus empty `vars` groups.
// Also builders for layer JSON in Keras 2 and Keras 3 serialization style.
import h5wasm from 'h5wasm';
import { zipSync, strToU8 } from 'fflate';
import * as tf from '@tensorflow/tfjs';
import { mulberry32 } from '../../services/engine/random.ts';

export type KerasStyle = 'keras2' | 'keras3';

export interface FixtureWeight {
  /** Keras variable name without layer prefix, e.g. "kernel", "moving_mean". */
  name: string;
  shape: number[];
  values: Float32Array;
  /** `.h5`: the weight name as written, when not `<layer>/<name>` (a nested model's group lists
   * its layers' weights as `<inner layer>/<name>:0`). */
  path?: string;
}

export interface FixtureLayer {
  name: string;
  weights: FixtureWeight[];
  /** `.keras`: a nested model's layers, stored under `layers/<name>/layers/`. */
  layers?: FixtureLayer[];
  /** `.keras`: variables of objects the layer owns, at `layers/<name>/<path>/vars` (Keras 3 keeps an
   * RNN layer's in `cell`, a Bidirectional's in `forward_layer/cell` and `backward_layer/cell`). */
  owned?: Array<{ path: string; weights: FixtureWeight[] }>;
}

let fileCounter = 0;

async function writeH5(build: (file: InstanceType<typeof h5wasm.File>) => void): Promise<Uint8Array> {
  const module = await h5wasm.ready;
  const path = `/fixture-${process.pid}-${fileCounter++}.h5`;
  const file = new h5wasm.File(path, 'w');
  try {
    build(file);
  } finally {
    file.close();
  }
  const bytes = module.FS.readFile(path) as Uint8Array;
  module.FS.unlink(path);
  return bytes.slice();
}

/** Fixed-length byte strings, as h5py stores Python `bytes` / numpy `S` arrays. */
function byteStrings(node: { create_attribute: InstanceType<typeof h5wasm.Group>['create_attribute'] }, name: string, values: string[]): void {
  if (values.length === 0) {
    node.create_attribute(name, new Float64Array(0), [0], '<d');
    return;
  }
  const width = Math.max(1, ...values.map((v) => Buffer.byteLength(v)));
  node.create_attribute(name, values, [values.length], `S${width}`);
}

function byteString(node: { create_attribute: InstanceType<typeof h5wasm.Group>['create_attribute'] }, name: string, value: string): void {
  node.create_attribute(name, value, null, `S${Math.max(1, Buffer.byteLength(value))}`);
}

function ensureGroup(root: InstanceType<typeof h5wasm.Group>, path: string): InstanceType<typeof h5wasm.Group> {
  let group = root;
  for (const part of path.split('/').filter(Boolean)) {
    group = (group.keys().includes(part) ? group.get(part) : group.create_group(part)) as InstanceType<typeof h5wasm.Group>;
  }
  return group;
}

export interface H5FixtureOptions {
  style: KerasStyle;
  /** The full model config (`{class_name, config}`) as Keras serialises it. */
  modelConfig: unknown;
  /** Layers in `model.layers` order; include weightless layers too. */
  layers: FixtureLayer[];
  kerasVersion?: string;
  /** Split `layer_names` into `layer_names0`, `layer_names1` like Keras does past 64 KB. */
  chunkLayerNames?: boolean;
}

export async function writeKerasH5(options: H5FixtureOptions): Promise<Uint8Array> {
  const version = options.kerasVersion ?? (options.style === 'keras2' ? '2.15.0' : '3.6.0');
  return writeH5((file) => {
    byteString(file, 'backend', 'tensorflow');
    byteString(file, 'keras_version', version);
    byteString(file, 'model_config', JSON.stringify(options.modelConfig));
    const weightsGroup = file.create_group('model_weights');
    const names = options.layers.map((l) => l.name);
    if (options.chunkLayerNames) {
      const half = Math.ceil(names.length / 2);
      byteStrings(weightsGroup, 'layer_names0', names.slice(0, half));
      byteStrings(weightsGroup, 'layer_names1', names.slice(half));
    } else byteStrings(weightsGroup, 'layer_names', names);
    byteString(weightsGroup, 'backend', 'tensorflow');
    byteString(weightsGroup, 'keras_version', version);
    for (const layer of [...options.layers].sort((a, b) => a.name.localeCompare(b.name))) {
      const group = weightsGroup.create_group(layer.name);
      const weightNames = layer.weights.map((w) => w.path ?? (options.style === 'keras2' ? `${layer.name}/${w.name}:0` : `${layer.name}/${w.name}`));
      byteStrings(group, 'weight_names', weightNames);
      layer.weights.forEach((w, i) => {
        const parts = weightNames[i].split('/');
        const parent = ensureGroup(group, parts.slice(0, -1).join('/'));
        parent.create_dataset({ name: parts[parts.length - 1], data: w.values, shape: w.shape, dtype: '<f4' });
      });
    }
    if (options.style === 'keras3') byteStrings(weightsGroup.create_group('top_level_model_weights'), 'weight_names', []);
  });
}

export interface ZipFixtureOptions {
  config: unknown;
  /** Layers whose state Keras saves under `layers/` (Sequential: without the InputLayer). */
  layers: FixtureLayer[];
  kerasVersion?: string;
}

export async function writeKerasZip(options: ZipFixtureOptions): Promise<Uint8Array> {
  const weights = await writeH5((file) => {
    file.create_group('vars');
    const writeLayers = (parent: InstanceType<typeof h5wasm.Group>, layers: FixtureLayer[]) => {
      for (const layer of layers) {
        const group = parent.create_group(layer.name);
        const vars = group.create_group('vars');
        layer.weights.forEach((w, i) => vars.create_dataset({ name: String(i), data: w.values, shape: w.shape, dtype: '<f4' }));
        if (layer.layers) writeLayers(group.create_group('layers'), layer.layers);
        for (const owned of layer.owned ?? []) {
          const ownedVars = ensureGroup(group, owned.path).create_group('vars');
          owned.weights.forEach((w, i) => ownedVars.create_dataset({ name: String(i), data: w.values, shape: w.shape, dtype: '<f4' }));
        }
      }
    };
    writeLayers(file.create_group('layers'), options.layers);
    file.create_group('optimizer').create_group('vars');
  });
  return zipSync({
    'metadata.json': strToU8(JSON.stringify({ keras_version: options.kerasVersion ?? '3.6.0', date_saved: '2026-11-26@12:00:00' })),
    'config.json': strToU8(JSON.stringify(options.config)),
    'model.weights.h5': [weights, { level: 0 }],
  });
}

/** Seeded uniform values (mulberry32), so fixtures are reproducible. */
export function seededValues(count: number, seed: number, low = -0.5, high = 0.5): Float32Array {
  const next = mulberry32(seed);
  return Float32Array.from({ length: count }, () => low + (high - low) * next());
}

/**
 * Gives every weight of a reference tfjs model seeded random values (variances positive) and
 * returns them per layer, named like Keras names them, for writing into a fixture file.
 */
export function randomizeWeights(model: tf.LayersModel, seed: number): FixtureLayer[] {
  return model.layers.map((layer, li) => {
    const weights = layer.weights.map((w, wi) => {
      const shape = w.shape as number[];
      const count = shape.reduce((a, b) => a * b, 1);
      const name = w.originalName.split('/').pop()!;
      const values = name.includes('variance') ? seededValues(count, seed + li * 31 + wi, 0.5, 1.5) : seededValues(count, seed + li * 31 + wi);
      return { name, shape: shape.slice(), values };
    });
    if (weights.length > 0) layer.setWeights(weights.map((w) => tf.tensor(w.values, w.shape)));
    return { name: layer.name, weights };
  });
}

// ---- Layer JSON in Keras 2 / Keras 3 serialization style ----

function dtypeOf(style: KerasStyle): unknown {
  return style === 'keras2' ? 'float32' : { module: 'keras', class_name: 'DTypePolicy', config: { name: 'float32' }, registered_name: null };
}

/** An initializer/regularizer-style nested object. */
export function kerasObject(style: KerasStyle, className: string, config: Record<string, unknown> = {}, module = 'keras.initializers'): unknown {
  return style === 'keras2' ? { class_name: className, config } : { module, class_name: className, config, registered_name: null };
}

export interface LayerSpec {
  className: string;
  name: string;
  config: Record<string, unknown>;
  /** Per-sample input shape for Keras 3 build_config (with batch null prepended). */
  inputShape?: (number | null)[];
  /** Functional only: source layer names (one per input tensor). */
  inbound?: string[];
  inboundShapes?: (number | null)[][];
}

/** A layer entry as Keras 2 or 3 writes it in a model config. */
export function kerasLayer(style: KerasStyle, spec: LayerSpec, functional: boolean): Record<string, unknown> {
  const isInput = spec.className === 'InputLayer';
  const config: Record<string, unknown> = isInput
    ? { ...spec.config, name: spec.name }
    : { name: spec.name, trainable: true, dtype: dtypeOf(style), ...spec.config };
  const layer: Record<string, unknown> =
    style === 'keras2'
      ? { class_name: spec.className, config }
      : { module: 'keras.layers', class_name: spec.className, config, registered_name: null };
  if (style === 'keras3' && !isInput && spec.inputShape) layer.build_config = { input_shape: spec.inputShape };
  if (functional) {
    layer.name = spec.name;
    const inbound = spec.inbound ?? [];
    if (style === 'keras2') layer.inbound_nodes = inbound.length ? [inbound.map((src) => [src, 0, 0, {}])] : [];
    else {
      const tensors = inbound.map((src, i) => ({ class_name: '__keras_tensor__', config: { shape: spec.inboundShapes?.[i] ?? null, dtype: 'float32', keras_history: [src, 0, 0] } }));
      layer.inbound_nodes = inbound.length ? [{ args: tensors.length === 1 ? tensors : [tensors], kwargs: {} }] : [];
    }
  }
  return layer;
}

export function kerasInputLayer(style: KerasStyle, name: string, batchShape: (number | null)[]): LayerSpec {
  return {
    className: 'InputLayer',
    name,
    config: style === 'keras2' ? { batch_input_shape: batchShape, dtype: 'float32', sparse: false, ragged: false } : { batch_shape: batchShape, dtype: 'float32', sparse: false, name },
  };
}

export function kerasSequential(style: KerasStyle, name: string, layers: LayerSpec[], buildInputShape: (number | null)[]): unknown {
  const config = { name, trainable: true, layers: layers.map((l) => kerasLayer(style, l, false)) } as Record<string, unknown>;
  if (style === 'keras2') return { class_name: 'Sequential', config };
  config.dtype = dtypeOf(style);
  config.build_input_shape = buildInputShape;
  return { module: 'keras', class_name: 'Sequential', config, registered_name: null, build_config: { input_shape: buildInputShape }, compile_config: null };
}

export function kerasFunctional(style: KerasStyle, name: string, layers: LayerSpec[], inputs: string[], outputs: string[]): unknown {
  const endpoints = (names: string[]) => (style === 'keras3' && names.length === 1 ? [names[0], 0, 0] : names.map((n) => [n, 0, 0]));
  const config = { name, trainable: true, layers: layers.map((l) => kerasLayer(style, l, true)), input_layers: endpoints(inputs), output_layers: endpoints(outputs) };
  if (style === 'keras2') return { class_name: 'Functional', config };
  return { module: 'keras.src.models.functional', class_name: 'Functional', config, registered_name: 'Functional', build_config: { input_shape: null } };
}
