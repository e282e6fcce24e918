// NumPy .npy reader (format spec: numpy/lib/format.py, versions 1–3). The header is parsed
// eagerly; values are read either from bytes in memory or by offset from a file on disk, so a
// large x.npy is never loaded whole.
import { open, type FileHandle } from 'node:fs/promises';
import { DatasetError } from './errors.ts';
import { checkShape } from './limits.ts';

export type NpyDtype = 'uint8' | 'int8' | 'uint16' | 'int16' | 'uint32' | 'int32' | 'int64' | 'uint64' | 'float32' | 'float64' | 'bool';

export interface NpyHeader {
  dtype: NpyDtype;
  littleEndian: boolean;
  itemSize: number;
  shape: number[];
  /** Byte offset of the first value. */
  dataOffset: number;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

const KINDS: Record<string, { dtype: NpyDtype; size: number }> = {
  u1: { dtype: 'uint8', size: 1 }, i1: { dtype: 'int8', size: 1 }, b1: { dtype: 'bool', size: 1 },
  u2: { dtype: 'uint16', size: 2 }, i2: { dtype: 'int16', size: 2 },
  u4: { dtype: 'uint32', size: 4 }, i4: { dtype: 'int32', size: 4 },
  u8: { dtype: 'uint64', size: 8 }, i8: { dtype: 'int64', size: 8 },
  f4: { dtype: 'float32', size: 4 }, f8: { dtype: 'float64', size: 8 },
};

export function isNpy(head: Uint8Array): boolean {
  return head.length >= 6 && MAGIC.every((b, i) => head[i] === b);
}

/** Parses the header; `fileLength` (when known) is checked against the declared shape. */
export function parseNpyHeader(head: Uint8Array, file: string, fileLength?: number): NpyHeader {
  if (!isNpy(head)) throw new DatasetError(file, 'not a .npy file (missing \\x93NUMPY magic)');
  if (head.length < 10) throw new DatasetError(file, 'truncated .npy header');
  const major = head[6];
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  let headerLength: number;
  let start: number;
  if (major === 1) {
    headerLength = view.getUint16(8, true);
    start = 10;
  } else if (major === 2 || major === 3) {
    if (head.length < 12) throw new DatasetError(file, 'truncated .npy header');
    headerLength = view.getUint32(8, true);
    start = 12;
  } else throw new DatasetError(file, `unsupported .npy format version ${major}`);
  if (head.length < start + headerLength) throw new DatasetError(file, 'truncated .npy header');
  const dict = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(head.subarray(start, start + headerLength));
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(dict)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(dict)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(dict)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) throw new DatasetError(file, `malformed .npy header: ${dict.trim().slice(0, 80)}`);
  if (fortran === 'True') throw new DatasetError(file, 'Fortran-ordered arrays are not supported; save with C order (np.ascontiguousarray)');
  const order = descr[0];
  const kind = KINDS[descr.slice(1)];
  if (!kind || !'<>|='.includes(order)) throw new DatasetError(file, `unsupported .npy dtype '${descr}' (supported: float32/64, uint8/16/32/64, int8/16/32/64, bool)`);
  const shape = shapeText.split(',').map((s) => s.trim()).filter((s) => s !== '').map((s) => Number(s.replace(/L$/, '')));
  if (shape.some((d) => !Number.isInteger(d) || d < 0)) throw new DatasetError(file, `malformed .npy shape (${shapeText})`);
  checkShape(shape, file);
  const header: NpyHeader = { dtype: kind.dtype, littleEndian: order !== '>', itemSize: kind.size, shape, dataOffset: start + headerLength };
  if (fileLength !== undefined) {
    const rows = shape.length === 0 ? 1 : shape[0];
    const rowBytes = rowValues(header) * kind.size;
    const expected = header.dataOffset + rows * rowBytes;
    if (fileLength < expected) {
      const held = rowBytes > 0 ? Math.floor((fileLength - header.dataOffset) / rowBytes) : 0;
      throw new DatasetError(file, `truncated: header says ${rows} rows of shape (${shape.join(', ')}), file holds ${Math.max(0, held)}`);
    }
    if (fileLength > expected) throw new DatasetError(file, `${fileLength - expected} unexpected bytes after the declared (${shape.join(', ')}) array`);
  }
  return header;
}

export function rowValues(header: NpyHeader): number {
  return header.shape.slice(1).reduce((a, b) => a * b, 1);
}

/** Decodes `count` values starting at byte `offset` of `bytes` into float64s (exact for ints up to 2^53). */
export function decodeValues(bytes: Uint8Array, offset: number, count: number, header: NpyHeader, out: Float64Array | Float32Array, outOffset = 0, scale = 1): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, count * header.itemSize);
  const le = header.littleEndian;
  const get: (i: number) => number = (() => {
    switch (header.dtype) {
      case 'uint8': case 'bool': return (i: number) => view.getUint8(i);
      case 'int8': return (i: number) => view.getInt8(i);
      case 'uint16': return (i: number) => view.getUint16(2 * i, le);
      case 'int16': return (i: number) => view.getInt16(2 * i, le);
      case 'uint32': return (i: number) => view.getUint32(4 * i, le);
      case 'int32': return (i: number) => view.getInt32(4 * i, le);
      case 'uint64': return (i: number) => Number(view.getBigUint64(8 * i, le));
      case 'int64': return (i: number) => Number(view.getBigInt64(8 * i, le));
      case 'float32': return (i: number) => view.getFloat32(4 * i, le);
      case 'float64': return (i: number) => view.getFloat64(8 * i, le);
    }
  })();
  for (let i = 0; i < count; i++) out[outOffset + i] = get(i) * scale;
}

/** Random access to the rows of one .npy array, from memory or from a file by offsets. */
export interface NpyRows {
  header: NpyHeader;
  /** Writes rows `ids` as float32 into `out`, multiplied by `scale`. */
  read(ids: Int32Array, out: Float32Array, scale: number): Promise<void>;
  /** All values as float64 (for labels). */
  readAll(): Promise<Float64Array>;
  close(): Promise<void>;
}

export function npyRowsFromBytes(bytes: Uint8Array, file: string): NpyRows {
  const header = parseNpyHeader(bytes, file, bytes.length);
  const perRow = rowValues(header);
  const rowBytes = perRow * header.itemSize;
  return {
    header,
    async read(ids, out, scale) {
      for (let k = 0; k < ids.length; k++) decodeValues(bytes, header.dataOffset + ids[k] * rowBytes, perRow, header, out, k * perRow, scale);
    },
    async readAll() {
      const count = (header.shape[0] ?? 1) * perRow;
      const out = new Float64Array(count);
      decodeValues(bytes, header.dataOffset, count, header, out);
      return out;
    },
    async close() {},
  };
}

export async function npyRowsFromFile(path: string, file: string): Promise<NpyRows> {
  // No handle is kept open between reads: datasets are not always closed by their consumers.
  const withHandle = async <T>(use: (handle: FileHandle) => Promise<T>): Promise<T> => {
    let handle: FileHandle;
    try {
      handle = await open(path, 'r');
    } catch (error) {
      throw new DatasetError(file, `cannot open file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
    }
    try {
      return await use(handle);
    } finally {
      await handle.close();
    }
  };
  const header = await withHandle(async (handle) => {
    const { size } = await handle.stat();
    const head = new Uint8Array(Math.min(size, 65536 + 12));
    await handle.read(head, 0, head.length, 0);
    return parseNpyHeader(head, file, size);
  });
  const perRow = rowValues(header);
  const rowBytes = perRow * header.itemSize;
  const readRange = async (handle: FileHandle, position: number, length: number) => {
    const buffer = new Uint8Array(length);
    const { bytesRead } = await handle.read(buffer, 0, length, position);
    if (bytesRead !== length) throw new DatasetError(file, `file changed or truncated while reading (wanted ${length} bytes at ${position})`);
    return buffer;
  };
  return {
    header,
    read: (ids, out, scale) =>
      withHandle(async (handle) => {
        // Merge consecutive ids into one read: sequential batches become a few large reads.
        let k = 0;
        while (k < ids.length) {
          let end = k + 1;
          while (end < ids.length && ids[end] === ids[end - 1] + 1) end++;
          const buffer = await readRange(handle, header.dataOffset + ids[k] * rowBytes, (end - k) * rowBytes);
          decodeValues(buffer, 0, (end - k) * perRow, header, out, k * perRow, scale);
          k = end;
        }
      }),
    readAll: () =>
      withHandle(async (handle) => {
        const count = (header.shape[0] ?? 1) * perRow;
        const buffer = await readRange(handle, header.dataOffset, count * header.itemSize);
        const out = new Float64Array(count);
        decodeValues(buffer, 0, count, header, out);
        return out;
      }),
    close: async () => {},
  };
}
