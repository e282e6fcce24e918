// Interfaces of the pieces the API uses from other areas, kept structural so the server can be
// given test doubles of *external* systems or alternative implementations (e.g. an S3 blob store).
import type { Readable } from 'node:stream';
import type { ModelPreflightJson } from '../db/types/index.ts';

/** The subset of services/blob's BlobStore the API needs. */
export interface BlobStoreLike {
  put(
    source: AsyncIterable<Uint8Array> | Uint8Array,
    options?: { maxBytes?: number; expectedSha256?: string },
  ): Promise<{ sha256: string; size: number }>;
  read(sha256: string): Promise<Uint8Array>;
  open(sha256: string): Promise<Readable | NodeJS.ReadableStream | AsyncIterable<Uint8Array>>;
  stat(sha256: string): Promise<{ size: number } | null>;
}

export interface TensorSpecInfo {
  name: string;
  shape: (number | null)[];
  dtype: string;
}

export interface ModelMetadata {
  format: string;
  signature: { inputs: TensorSpecInfo[]; outputs: TensorSpecInfo[] };
  parameterCount: number;
  layerTypes: string[];
  /** Per-target export pre-flight (layers models). */
  preflight?: ModelPreflightJson;
}

/** A received upload: its name, exact size, and a way to stream its bytes. */
export interface UploadedFile {
  filename: string;
  size: number;
  open(): Promise<AsyncIterable<Uint8Array>>;
}

/** Validates and describes an uploaded model; throws an Error with a one-line message when invalid. */
export type ModelInspector = (input: UploadedFile) => Promise<ModelMetadata>;

export interface DatasetMetadata {
  format: string;
  kind: string;
  inputShape: number[];
  numClasses: number;
  labels: string[];
  splits: Record<string, number>;
  sampleCount: number;
}

export interface DatasetOpenOptions {
  labelColumn?: string;
  validationFraction?: number;
  testFraction?: number;
}

/** Validates and describes an uploaded dataset; throws an Error with a one-line message when invalid. */
export type DatasetInspector = (input: UploadedFile, options: DatasetOpenOptions) => Promise<DatasetMetadata>;

export interface PluginInfo {
  name: string;
  version: string;
  kind: string;
  summary: string;
  sdk: string;
  hardwareTargets: string[];
  configSchema: Record<string, unknown>;
}

/** The installed plugins (services/plugins), plus config validation for run starts. */
export interface PluginCatalog {
  list(): Promise<PluginInfo[]>;
  /** Returns the config with defaults filled, or throws an Error naming the bad field. */
  validateConfig(name: string, config: Record<string, unknown>): Promise<Record<string, unknown>>;
}
