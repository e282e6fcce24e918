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

/** Most dimensions an array may have (numpy allows 32; data sets use 1 to 5). */
export const MAX_RANK = 8;
/** Largest single dimension: the GraphQL Int range, so every stored shape can be queried. */
export const MAX_DIMENSION = 2_147_483_647;
/** Most values one array may hold (2^31: 2 GiB of uint8, the uncompressed-size cap). */
export const MAX_ELEMENTS = 2 ** 31;
/** Most columns in a CSV header (features + label + split). */
export const MAX_CSV_COLUMNS = 100_000;

/** Rejects a declared shape that is too deep, too large in one dimension or in total. */
export function checkShape(shape: readonly number[], file: string): void {
  if (shape.length > MAX_RANK) throw new DatasetError(file, `array has ${shape.length} dimensions; at most ${MAX_RANK} are supported`);
  let elements = 1;
  for (const d of shape) {
    if (!Number.isSafeInteger(d) || d < 0) throw new DatasetError(file, `invalid dimension ${d} in shape (${shape.join(', ')})`);
    if (d > MAX_DIMENSION) throw new DatasetError(file, `dimension ${d} in shape (${shape.join(', ')}) is larger than ${MAX_DIMENSION}`);
    elements *= d;
  }
  if (elements > MAX_ELEMENTS) throw new DatasetError(file, `shape (${shape.join(', ')}) holds ${elements} values, more than the ${MAX_ELEMENTS} supported`);
}
