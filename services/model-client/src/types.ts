// Public types of the model client.
import type { ModelCache } from './cache.ts';
import type { RetryOptions } from './retry.ts';
import type { HashFunction } from './sha256.ts';

/** What the server may use to choose a model for this device (rollout bucket, targeting). */
export interface DeviceInfo {
  /** A random id generated once per installation and stored by the app (not a hardware id). */
  installId: string;
  /** e.g. "android", "ios", "web". */
  platform?: string;
  /** The app's own version, semver, e.g. "3.2.0". */
  appVersion?: string;
  /** A coarse class the app chooses, e.g. "low-end", "high-end". */
  deviceClass?: string;
}

export interface DownloadProgress {
  receivedBytes: number;
  /** From Content-Length; null when the server did not send it. */
  totalBytes: number | null;
}

export interface GetModelOptions {
  /** Base URL of the Condense server, e.g. https://condense.example.com */
  endpoint: string;
  /** Project id (as shown in the console / API). */
  projectId: string;
  /** Channel name, e.g. "production". */
  channel: string;
  /** The project's app key (`cnda_…`); it can only download models and report telemetry. */
  appKey: string;
  device?: DeviceInfo;
  /** Where verified models are kept between calls and app starts. Default: an in-memory cache (per process). */
  cache?: ModelCache;
  retry?: RetryOptions;
  /** Per-attempt timeout, ms (default 30000). */
  timeoutMs?: number;
  onProgress?: (progress: DownloadProgress) => void;
  /** Called once with the model getModel resolves to. */
  onComplete?: (model: Model) => void;
  signal?: AbortSignal;
  /** Default: WebCrypto SHA-256. */
  hash?: HashFunction;
  /** Default: globalThis.fetch. */
  fetch?: typeof fetch;
}

/** Where the returned bytes came from. */
export type ModelSource =
  | 'network' // downloaded now (new or changed)
  | 'not-modified' // the server answered 304: the cached copy is current
  | 'offline-cache'; // the server could not be reached (after retries): the cached copy, possibly stale

export interface ModelInfo {
  /** Deployment that served the model (changes with every publish or rollback). */
  deploymentId: string | null;
  /** Candidate (the compressed model) that was served. */
  candidateId: string | null;
  channel: string;
  /** When the bytes were downloaded (ISO 8601). */
  downloadedAt: string;
}

export interface Model {
  bytes: Uint8Array;
  /** SHA-256 (hex) of `bytes`, checked before the model was returned. */
  sha256: string;
  /** Version of the model: the candidate id the server served. */
  version: string;
  metadata: ModelInfo;
  source: ModelSource;
}
