// The cache contract and the in-memory cache. Adapters for IndexedDB (browsers) and the file
// system (Node, `@condense/model-client/node`) implement the same interface.
import type { ModelInfo } from './types.ts';

/** A verified model as stored: the bytes plus what the server said about them. */
export interface CachedModel {
  bytes: Uint8Array;
  sha256: string;
  version: string;
  metadata: ModelInfo;
}

export interface ModelCache {
  get(key: string): Promise<CachedModel | undefined>;
  put(key: string, model: CachedModel): Promise<void>;
  delete(key: string): Promise<void>;
}

/** One cache slot per server, project and channel (the device's bucket is the server's business). */
export function cacheKey(endpoint: string, projectId: string, channel: string): string {
  return `${endpoint.replace(/\/+$/, '')}|${projectId}|${channel}`;
}

export class MemoryModelCache implements ModelCache {
  readonly #entries = new Map<string, CachedModel>();

  async get(key: string): Promise<CachedModel | undefined> {
    const entry = this.#entries.get(key);
    return entry && { ...entry, bytes: entry.bytes.slice() };
  }

  async put(key: string, model: CachedModel): Promise<void> {
    this.#entries.set(key, { ...model, bytes: model.bytes.slice() });
  }

  async delete(key: string): Promise<void> {
    this.#entries.delete(key);
  }
}
