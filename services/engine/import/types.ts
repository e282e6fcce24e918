// What importing a model produces. `model` is set for Keras/TF.js layers models (trainable
// students and teachers, also rebuilt from .tflite files); `graph` for TF.js graph models
// (inference-only teachers).
import type { tf } from '../backend/index.ts';
import type { ExportPreflight } from '../preflight/index.ts';

export type ModelFormat = 'tfjs-layers' | 'keras-h5' | 'keras-zip' | 'tfjs-graph' | 'tflite';

export interface TensorSpec {
  name: string;
  /** null for unknown dimensions (usually the batch). */
  shape: (number | null)[];
  dtype: string;
}

export interface ModelSignature {
  inputs: TensorSpec[];
  outputs: TensorSpec[];
}

export interface ModelMetadata {
  format: ModelFormat;
  signature: ModelSignature;
  /** All weights, trainable or not (Keras' count_params). */
  parameterCount: number;
  /** Distinct layer class names (Keras/TF.js layers) or op types (graph models), in model order. */
  layerTypes: string[];
  /** Config options dropped or rewritten on import (e.g. a regularizer TF.js has no class for). */
  notes?: string[];
  /**
   * A quantized .tflite upload: its weights were dequantised, so it serves as a distillation
   * teacher (inference only); `notes` says so.
   */
  teacherOnly?: boolean;
  /** Export pre-flight (inspectModel with `preflight: true`, layers models only). */
  preflight?: ExportPreflight;
}

export interface ImportedModel extends ModelMetadata {
  model?: tf.LayersModel;
  graph?: tf.GraphModel;
}

/** A single uploaded file, or a set of files (e.g. model.json + weight shards) keyed by path. */
export type ModelSource = { filename: string; bytes: Uint8Array } | { files: Map<string, Uint8Array> };

export interface ImportOptions {
  /** Cap on bytes the upload may hold or expand to (default 2 GiB). */
  maxBytes?: number;
  /**
   * Also accept layer classes registered with tfjs in this process (plugins' custom layers, e.g.
   * the projection plugin's LshProjection). Only for models Condense stored itself: a user's
   * upload is held to the built-in list.
   */
  registeredLayers?: boolean;
  /** inspectModel: also run the export pre-flight (engine/preflight) on the rebuilt topology. */
  preflight?: boolean;
}
