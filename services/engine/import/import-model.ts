// importModel / inspectModel: one entry point for Keras .h5, Keras 3 .keras, and TF.js
// layers/graph model.json uploads (single file, zip, or a set of files), and .tflite files (tflite.ts).
import { initEngine, tf } from '../backend/index.ts';
import { unzipCapped, isZip } from '../data/archive.ts';
import { DatasetError } from '../data/errors.ts';
import { ModelImportError } from './errors.ts';
import { isHdf5 } from './h5.ts';
import { normalizeKerasModelConfig, type NormalizedModel } from './keras-config.ts';
import { readKerasH5 } from './keras-h5.ts';
import { readKerasZip } from './keras-zip.ts';
import { separateTextVectorization } from './text-front-end.ts';
import { isTflite, readTfliteUpload } from './tflite.ts';
import { buildLayersModel, distinct, layersSignature, setLayerWeights, type LayerWeights } from './build.ts';
import { graphOpTypes, loadGraphModel, loadModelJson, weightCount } from './tfjs-json.ts';
import { exportPreflight, type ExportPreflight } from '../preflight/index.ts';
import type { ImportedModel, ImportOptions, ModelFormat, ModelMetadata, ModelSource } from './types.ts';

export const DEFAULT_MAX_MODEL_BYTES = 2 * 1024 ** 3;

const EXPECTED = 'expected a Keras .h5, a Keras 3 .keras, a TF.js model.json with its weight files, a .zip of those, or a .tflite file';

type Resolved =
  | { kind: 'keras-h5'; bytes: Uint8Array; label: string }
  | { kind: 'keras-zip'; files: Map<string, Uint8Array>; label: string }
  | { kind: 'tflite'; bytes: Uint8Array; label: string }
  | { kind: 'tfjs'; files: Map<string, Uint8Array>; label: string };

function unzip(bytes: Uint8Array, label: string, maxBytes: number): Map<string, Uint8Array> {
  try {
    return unzipCapped(bytes, label, maxBytes);
  } catch (error) {
    if (error instanceof DatasetError) throw new ModelImportError(error.message);
    throw error;
  }
}

function resolveFiles(files: Map<string, Uint8Array>, label: string, maxBytes: number): Resolved {
  const names = [...files.keys()];
  const total = [...files.values()].reduce((n, b) => n + b.length, 0);
  if (total > maxBytes) throw new ModelImportError(`${label} holds ${total} bytes, over the ${maxBytes}-byte limit`);
  if (files.has('config.json') && files.has('model.weights.h5')) return { kind: 'keras-zip', files, label };
  if (names.some((n) => n.toLowerCase().endsWith('.json'))) return { kind: 'tfjs', files, label };
  if (files.size === 1) return resolveSingle(names[0], files.get(names[0])!, maxBytes);
  throw new ModelImportError(`${label} (${names.slice(0, 5).join(', ')}) is not a model upload: ${EXPECTED}`);
}

function resolveSingle(filename: string, bytes: Uint8Array, maxBytes: number): Resolved {
  if (bytes.length > maxBytes) throw new ModelImportError(`${filename} is ${bytes.length} bytes, over the ${maxBytes}-byte limit`);
  if (bytes.length === 0) throw new ModelImportError(`${filename} is empty`);
  if (isHdf5(bytes)) return { kind: 'keras-h5', bytes, label: filename };
  if (isZip(bytes)) return resolveFiles(unzip(bytes, filename, maxBytes), filename, maxBytes);
  if (isTflite(bytes)) return { kind: 'tflite', bytes, label: filename };
  const lower = filename.toLowerCase();
  if (lower.endsWith('.tflite')) throw new ModelImportError(`${filename} is not a TFLite file (no TFL3 identifier; truncated or corrupt)`);
  if (lower.endsWith('.h5') || lower.endsWith('.hdf5')) throw new ModelImportError(`${filename} is not an HDF5 file (bad signature; truncated or not a Keras .h5)`);
  if (lower.endsWith('.keras') || lower.endsWith('.zip')) throw new ModelImportError(`${filename} is not a zip archive (truncated or corrupt)`);
  if (lower.endsWith('.json')) return { kind: 'tfjs', files: new Map([[filename, bytes]]), label: filename };
  throw new ModelImportError(`unsupported model file ${filename}: ${EXPECTED}`);
}

function resolve(source: ModelSource, maxBytes: number): Resolved {
  if ('files' in source) {
    if (source.files.size === 0) throw new ModelImportError('no model files given');
    return resolveFiles(source.files, source.files.size === 1 ? [...source.files.keys()][0] : 'upload', maxBytes);
  }
  return resolveSingle(source.filename, source.bytes, maxBytes);
}

/** Whether tfjs in this process can rebuild layer class `className` (registered by a plugin). */
function registeredClass(className: string): boolean {
  return className in tf.serialization.SerializationMap.getMap().classNameMap;
}

async function layersFromConfig(format: ModelFormat, normalized: NormalizedModel, weights: LayerWeights | undefined): Promise<ImportedModel> {
  const model = await buildLayersModel(normalized);
  try {
    if (weights) setLayerWeights(model, weights);
    return { format, model, signature: layersSignature(model), parameterCount: model.countParams(), layerTypes: distinct(normalized.layerClasses), notes: normalized.notes };
  } catch (error) {
    model.dispose();
    throw error;
  }
}

async function load(source: ModelSource, options: ImportOptions, withWeights: boolean): Promise<ImportedModel> {
  const resolved = resolve(source, options.maxBytes ?? DEFAULT_MAX_MODEL_BYTES);
  await initEngine();
  const normalizeOptions = options.registeredLayers ? { alsoAllowed: registeredClass } : {};
  switch (resolved.kind) {
    case 'keras-h5': {
      const contents = await readKerasH5(resolved.bytes, resolved.label, { weights: withWeights });
      return layersFromConfig('keras-h5', normalizeKerasModelConfig(contents.modelConfig, normalizeOptions), withWeights ? contents.weights : undefined);
    }
    case 'keras-zip': {
      const contents = await readKerasZip(resolved.files, resolved.label, { weights: withWeights });
      // A TextVectorization after the string input becomes the text front end (readTextFrontEnd): the model starts at its token ids.
      const { config } = separateTextVectorization(contents.config);
      return layersFromConfig('keras-zip', normalizeKerasModelConfig(config, normalizeOptions), withWeights ? contents.weights : undefined);
    }
    case 'tflite': {
      const upload = readTfliteUpload(resolved.bytes, resolved.label);
      const normalized = normalizeKerasModelConfig(upload.config, normalizeOptions);
      normalized.notes.push(...upload.notes);
      const imported = await layersFromConfig('tflite', normalized, withWeights ? upload.weights : undefined);
      return upload.quantized ? { ...imported, teacherOnly: true } : imported;
    }
    case 'tfjs': {
      const loaded = loadModelJson(resolved.files, resolved.label);
      if (loaded.isGraph) {
        const graph = await loadGraphModel(loaded);
        const tensorSpec = (t: { name: string; shape?: number[]; dtype: string }) => ({
          name: t.name,
          shape: (t.shape ?? []).map((d: number) => (d === null || d < 0 ? null : d)),
          dtype: t.dtype,
        });
        return {
          format: 'tfjs-graph',
          graph,
          signature: { inputs: graph.inputs.map(tensorSpec), outputs: graph.outputs.map(tensorSpec) },
          parameterCount: weightCount(loaded.weightSpecs),
          layerTypes: graphOpTypes(loaded.json.modelTopology),
        };
      }
      const normalized = normalizeKerasModelConfig(loaded.json.modelTopology, normalizeOptions);
      if (!withWeights) return layersFromConfig('tfjs-layers', normalized, undefined);
      let model: tf.LayersModel;
      try {
        model = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: normalized.topology as any, weightSpecs: loaded.weightSpecs, weightData: loaded.weightData }));
      } catch (error) {
        throw new ModelImportError(`cannot load the TF.js layers model from ${loaded.path}: ${(error as Error).message}`);
      }
      return { format: 'tfjs-layers', model, signature: layersSignature(model), parameterCount: model.countParams(), layerTypes: distinct(normalized.layerClasses), notes: normalized.notes };
    }
  }
}

/**
 * Imports a model for training/compression. Layers models come back as `model`
 * (a tf.LayersModel with the file's weights), graph models as `graph` (inference only).
 * Any problem is a ModelImportError with a one-line message.
 */
export async function importModel(source: ModelSource, options: ImportOptions = {}): Promise<ImportedModel> {
  try {
    return await load(source, options, true);
  } catch (error) {
    throw asImportError(error);
  }
}

/**
 * The same metadata as importModel without keeping a model: weight values of Keras files are
 * not read (the topology is built to derive shapes and parameter counts, then disposed).
 */
export async function inspectModel(source: ModelSource, options: ImportOptions = {}): Promise<ModelMetadata> {
  let imported: ImportedModel;
  try {
    imported = await load(source, options, false);
  } catch (error) {
    throw asImportError(error);
  }
  let preflight: ExportPreflight | undefined;
  try {
    if (options.preflight && imported.model) preflight = await exportPreflight(imported.model);
  } finally {
    imported.model?.dispose();
    imported.graph?.dispose();
  }
  const { format, signature, parameterCount, layerTypes, notes, teacherOnly } = imported;
  return { format, signature, parameterCount, layerTypes, notes, ...(teacherOnly ? { teacherOnly } : {}), ...(preflight ? { preflight } : {}) };
}

function asImportError(error: unknown): ModelImportError {
  if (error instanceof ModelImportError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new ModelImportError(`model import failed: ${message.split('\n')[0]}`);
}
