// Size guards shared by every reader: decompressed data is capped so a small archive cannot
// expand into more memory than the machine has (decompression bombs).
import { gunzipSync } from 'node:zlib';
import { DatasetError } from './errors.ts';

/** Default cap on the total uncompressed bytes a dataset may expand to (2 GiB). */
export const DEFAULT_MAX_UNCOMPRESSED_BYTES = 2 * 1024 ** 3;

export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** Gunzips with an output cap; truncated or corrupt streams raise (zlib checks CRC and length). */
export function gunzipCapped(bytes: Uint8Array, file: string, maxBytes = DEFAULT_MAX_UNCOMPRESSED_BYTES): Uint8Array {
  try {
    const out = gunzipSync(bytes, { maxOutputLength: maxBytes });
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'ERR_BUFFER_TOO_LARGE' || error instanceof RangeError) {
      throw new DatasetError(file, `gzip data expands beyond the ${maxBytes}-byte limit`);
    }
    throw new DatasetError(file, `corrupt or truncated gzip data (${(error as Error).message})`);
  }
}

/** Returns the bytes, gunzipped when they carry the gzip magic. */
export function maybeGunzip(bytes: Uint8Array, file: string, maxBytes = DEFAULT_MAX_UNCOMPRESSED_BYTES): Uint8Array {
  return isGzip(bytes) ? gunzipCapped(bytes, file, maxBytes) : bytes;
}
