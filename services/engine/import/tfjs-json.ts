// TF.js `model.json` + binary weight shards: layers models (modelTopology is a Keras config)
// and graph models (modelTopology is a GraphDef; inference-only teachers).
import { tf } from '../backend/index.ts';
import { ModelImportError } from './errors.ts';

export interface WeightGroup {
  paths: string[];
  weights: WeightSpecJson[];
}

export interface WeightSpecJson {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: { dtype: string };
}

export interface ModelJson {
  format?: string;
  generatedBy?: string;
  convertedBy?: string | null;
  modelTopology: any;
  weightsManifest?: WeightGroup[];
  signature?: any;
  userDefinedMetadata?: Record<string, unknown>;
  modelInitializer?: any;
  trainingConfig?: any;
}

export interface LoadedModelJson {
  json: ModelJson;
  /** Path of model.json inside the upload. */
  path: string;
  isGraph: boolean;
  weightSpecs: tf.io.WeightsManifestEntry[];
  weightData: ArrayBuffer;
}

const BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, uint8: 1, uint16: 2, float16: 2, int8: 1, int16: 2, complex64: 8 };

export function findModelJson(files: Map<string, Uint8Array>): string | undefined {
  const jsons = [...files.keys()].filter((name) => name.toLowerCase().endsWith('.json'));
  return jsons.find((name) => name.split('/').pop() === 'model.json') ?? (jsons.length === 1 ? jsons[0] : undefined);
}

export function loadModelJson(files: Map<string, Uint8Array>, label: string): LoadedModelJson {
  const path = findModelJson(files);
  if (!path) throw new ModelImportError(`${label} holds no model.json`);
  let json: ModelJson;
  try {
    json = JSON.parse(new TextDecoder().decode(files.get(path)!));
  } catch {
    throw new ModelImportError(`${label}: ${path} is not valid JSON`);
  }
  if (typeof json !== 'object' || json === null || json.modelTopology == null) throw new ModelImportError(`${label}: ${path} has no modelTopology (not a TF.js model.json)`);
  const isGraph = json.format === 'graph-model' || Array.isArray(json.modelTopology?.node);
  const dir = path.includes('/') ? path.slice(0, path.lastIndexOf('/') + 1) : '';
  const manifest = json.weightsManifest ?? [];
  if (!Array.isArray(manifest)) throw new ModelImportError(`${label}: weightsManifest must be a list`);
  const weightSpecs: tf.io.WeightsManifestEntry[] = [];
  const shards: Uint8Array[] = [];
  let expectedBytes = 0;
  let exact = true;
  for (const group of manifest) {
    for (const shardPath of group.paths ?? []) {
      const shard = files.get(dir + shardPath.replace(/^\.\//, '')) ?? files.get(shardPath);
      if (!shard) throw new ModelImportError(`${label}: weight file ${shardPath} named in ${path} is missing`);
      shards.push(shard);
    }
    for (const spec of group.weights ?? []) {
      weightSpecs.push(spec as tf.io.WeightsManifestEntry);
      const size = BYTES[spec.quantization?.dtype ?? spec.dtype];
      if (size === undefined) exact = false;
      else expectedBytes += size * (spec.shape ?? []).reduce((a: number, b: number) => a * b, 1);
    }
  }
  const total = shards.reduce((n, s) => n + s.length, 0);
  if (exact && total !== expectedBytes) {
    throw new ModelImportError(`${label}: weight files hold ${total} bytes, the manifest in ${path} needs ${expectedBytes} (truncated or mismatched shards)`);
  }
  const weightData = new Uint8Array(total);
  let offset = 0;
  for (const shard of shards) {
    weightData.set(shard, offset);
    offset += shard.length;
  }
  return { json, path, isGraph, weightSpecs, weightData: weightData.buffer };
}

export async function loadGraphModel(loaded: LoadedModelJson): Promise<tf.GraphModel> {
  const { json } = loaded;
  try {
    return await tf.loadGraphModel(
      tf.io.fromMemory({
        modelTopology: json.modelTopology,
        format: json.format,
        generatedBy: json.generatedBy,
        convertedBy: json.convertedBy ?? undefined,
        weightSpecs: loaded.weightSpecs,
        weightData: loaded.weightData,
        signature: json.signature,
        userDefinedMetadata: json.userDefinedMetadata,
        modelInitializer: json.modelInitializer,
      }),
    );
  } catch (error) {
    throw new ModelImportError(`cannot load the TF.js graph model: ${(error as Error).message}`);
  }
}

export function graphOpTypes(topology: any): string[] {
  const ops: string[] = [];
  for (const node of topology?.node ?? []) if (typeof node.op === 'string') ops.push(node.op);
  for (const fn of topology?.library?.function ?? []) for (const node of fn.nodeDef ?? []) if (typeof node.op === 'string') ops.push(node.op);
  return [...new Set(ops)];
}

export function weightCount(specs: tf.io.WeightsManifestEntry[]): number {
  return specs.reduce((n, spec) => n + spec.shape.reduce((a, b) => a * b, 1), 0);
}
