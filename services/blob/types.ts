import type { Readable } from 'node:stream';

export interface PutOptions {
  /** Reject (and store nothing) once more than this many bytes arrive. */
  maxBytes?: number;
  /** Reject (and store nothing) when the content hashes to something else. Lower-case hex. */
  expectedSha256?: string;
}

export interface PutResult {
  sha256: string;
  size: number;
}

/** Content-addressed, immutable blobs named by the SHA-256 of their bytes. */
export interface BlobStore {
  put(source: AsyncIterable<Uint8Array> | Uint8Array, opts?: PutOptions): Promise<PutResult>;
  /** Whole blob, verified. */
  read(sha256: string): Promise<Uint8Array>;
  /** Streaming read, verified before the first byte is delivered. */
  open(sha256: string): Promise<Readable>;
  stat(sha256: string): Promise<{ size: number } | null>;
}

export const SHA256_PATTERN = /^[0-9a-f]{64}$/;
