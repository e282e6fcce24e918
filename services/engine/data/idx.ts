// IDX reader (the MNIST / Fashion-MNIST file format, http://yann.lecun.com/exdb/mnist/):
// 2 zero bytes, a dtype code, the number of dimensions, big-endian int32 sizes, then the
// big-endian data in C order. Files may be gzipped.
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { DatasetError } from './errors.ts';
import { checkShape, DEFAULT_MAX_UNCOMPRESSED_BYTES, maybeGunzip } from './limits.ts';

export type IdxDtype = 'uint8' | 'int8' | 'int16' | 'int32' | 'float32' | 'float64';
export type IdxData = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

export interface IdxArray {
  dtype: IdxDtype;
  /** Full shape; shape[0] is the item count. */
  shape: number[];
  data: IdxData;
}

const DTYPES: Record<number, { dtype: IdxDtype; size: number }> = {
  0x08: { dtype: 'uint8', size: 1 },
  0x09: { dtype: 'int8', size: 1 },
  0x0b: { dtype: 'int16', size: 2 },
  0x0c: { dtype: 'int32', size: 4 },
  0x0d: { dtype: 'float32', size: 4 },
  0x0e: { dtype: 'float64', size: 8 },
};

/** True when the (decompressed) bytes start like an IDX file. */
export function looksLikeIdx(head: Uint8Array): boolean {
  return head.length >= 4 && head[0] === 0 && head[1] === 0 && head[2] in DTYPES && head[3] >= 1 && head[3] <= 8;
}

/** Parses IDX bytes (gzipped or not). `file` names the file in error messages. */
export function parseIdx(raw: Uint8Array, file: string, maxBytes = DEFAULT_MAX_UNCOMPRESSED_BYTES): IdxArray {
  const bytes = maybeGunzip(raw, file, maxBytes);
  if (bytes.length < 4) throw new DatasetError(file, `not an IDX file: ${bytes.length} bytes, need at least a 4-byte header`);
  if (bytes[0] !== 0 || bytes[1] !== 0) throw new DatasetError(file, 'not an IDX file: magic number must start with two zero bytes');
  const type = DTYPES[bytes[2]];
  if (!type) throw new DatasetError(file, `unsupported IDX dtype code 0x${bytes[2].toString(16)}`);
  const ndims = bytes[3];
  if (ndims < 1) throw new DatasetError(file, 'IDX header declares 0 dimensions');
  const headerLength = 4 + 4 * ndims;
  if (bytes.length < headerLength) throw new DatasetError(file, `truncated: header needs ${headerLength} bytes, file holds ${bytes.length}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shape: number[] = [];
  for (let i = 0; i < ndims; i++) {
    const size = view.getInt32(4 + 4 * i, false);
    if (size < 0) throw new DatasetError(file, `IDX dimension ${i} is negative (${size})`);
    shape.push(size);
  }
  checkShape(shape, file);
  const itemValues = shape.slice(1).reduce((a, b) => a * b, 1);
  const itemBytes = itemValues * type.size;
  const expected = shape[0] * itemBytes;
  const actual = bytes.length - headerLength;
  if (actual < expected) {
    const held = itemBytes > 0 ? Math.floor(actual / itemBytes) : 0;
    throw new DatasetError(file, `truncated: header says ${shape[0]} items, file holds ${held}`);
  }
  if (actual > expected) throw new DatasetError(file, `${actual - expected} unexpected bytes after the ${shape[0]} items the header declares`);
  return { dtype: type.dtype, shape, data: decode(view, headerLength, shape[0] * itemValues, type.dtype) };
}

function decode(view: DataView, offset: number, count: number, dtype: IdxDtype): IdxData {
  const start = view.byteOffset + offset;
  switch (dtype) {
    case 'uint8':
      return new Uint8Array(view.buffer.slice(start, start + count));
    case 'int8':
      return new Int8Array(view.buffer.slice(start, start + count));
    case 'int16': {
      const out = new Int16Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt16(offset + 2 * i, false);
      return out;
    }
    case 'int32': {
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt32(offset + 4 * i, false);
      return out;
    }
    case 'float32': {
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat32(offset + 4 * i, false);
      return out;
    }
    case 'float64': {
      const out = new Float64Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat64(offset + 8 * i, false);
      return out;
    }
  }
}

/**
 * Reads one IDX file, e.g. `readIdx('/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz')`.
 * Errors are `DatasetError` naming the file.
 */
export async function readIdx(source: string | { path: string } | { bytes: Uint8Array; filename: string }): Promise<IdxArray> {
  if (typeof source === 'string') source = { path: source };
  if ('path' in source) {
    let bytes: Uint8Array;
    try {
      bytes = await readFile(source.path);
    } catch (error) {
      throw new DatasetError(basename(source.path), `cannot read file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
    }
    return parseIdx(bytes, basename(source.path));
  }
  return parseIdx(source.bytes, source.filename);
}
