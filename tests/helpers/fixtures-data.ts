// Writers for dataset test files in their real on-disk formats: IDX (big-endian, optional
// gzip), NumPy .npy/.npz (format spec v1.0), CSV/JSONL text, PNG/JPEG class folders, zip and tar.
import { gzipSync } from 'node:zlib';
import { zipSync } from 'fflate';
import pngjs from 'pngjs';
import jpeg from 'jpeg-js';

const IDX_CODES = { uint8: 0x08, int8: 0x09, int16: 0x0b, int32: 0x0c, float32: 0x0d, float64: 0x0e } as const;

export function writeIdx(dtype: keyof typeof IDX_CODES, shape: number[], values: ArrayLike<number>, options: { gzip?: boolean } = {}): Uint8Array {
  const size = { uint8: 1, int8: 1, int16: 2, int32: 4, float32: 4, float64: 8 }[dtype];
  const header = 4 + 4 * shape.length;
  const bytes = new Uint8Array(header + values.length * size);
  const view = new DataView(bytes.buffer);
  bytes[2] = IDX_CODES[dtype];
  bytes[3] = shape.length;
  shape.forEach((d, i) => view.setInt32(4 + 4 * i, d, false));
  for (let i = 0; i < values.length; i++) {
    const at = header + i * size;
    if (dtype === 'uint8') view.setUint8(at, values[i]);
    else if (dtype === 'int8') view.setInt8(at, values[i]);
    else if (dtype === 'int16') view.setInt16(at, values[i], false);
    else if (dtype === 'int32') view.setInt32(at, values[i], false);
    else if (dtype === 'float32') view.setFloat32(at, values[i], false);
    else view.setFloat64(at, values[i], false);
  }
  return options.gzip ? new Uint8Array(gzipSync(bytes)) : bytes;
}

export type NpyDescr = '<f4' | '<f8' | '|u1' | '|i1' | '<i2' | '<i4' | '<i8' | '>f4' | '>i4';

export function writeNpy(descr: NpyDescr, shape: number[], values: ArrayLike<number>, options: { fortranOrder?: boolean } = {}): Uint8Array {
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let dict = `{'descr': '${descr}', 'fortran_order': ${options.fortranOrder ? 'True' : 'False'}, 'shape': ${shapeText}, }`;
  const total = 10 + dict.length + 1;
  dict += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const size = Number(descr.slice(2));
  const little = descr[0] !== '>';
  const kind = descr[1];
  const bytes = new Uint8Array(10 + dict.length + values.length * size);
  bytes.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  const view = new DataView(bytes.buffer);
  view.setUint16(8, dict.length, true);
  bytes.set(new TextEncoder().encode(dict), 10);
  const base = 10 + dict.length;
  for (let i = 0; i < values.length; i++) {
    const at = base + i * size;
    const v = values[i];
    if (kind === 'f' && size === 4) view.setFloat32(at, v, little);
    else if (kind === 'f') view.setFloat64(at, v, little);
    else if (kind === 'u') view.setUint8(at, v);
    else if (size === 1) view.setInt8(at, v);
    else if (size === 2) view.setInt16(at, v, little);
    else if (size === 4) view.setInt32(at, v, little);
    else view.setBigInt64(at, BigInt(v), little);
  }
  return bytes;
}

/** np.savez: a zip of `<name>.npy` entries. */
export function writeNpz(arrays: Record<string, Uint8Array>): Uint8Array {
  return zipSync(Object.fromEntries(Object.entries(arrays).map(([name, bytes]) => [`${name}.npy`, bytes])));
}

export function writeZip(files: Record<string, Uint8Array | string>): Uint8Array {
  return zipSync(Object.fromEntries(Object.entries(files).map(([name, v]) => [name, typeof v === 'string' ? new TextEncoder().encode(v) : v])));
}

/** A POSIX ustar archive (what `tar cf` writes), with the two zero end blocks. */
export function writeTar(files: Record<string, Uint8Array>, options: { endBlocks?: boolean } = {}): Uint8Array {
  const chunks: Uint8Array[] = [];
  for (const [name, data] of Object.entries(files)) {
    const header = new Uint8Array(512);
    const put = (text: string, at: number) => header.set(new TextEncoder().encode(text), at);
    put(name, 0);
    put('0000644\0', 100);
    put('0000000\0', 108);
    put('0000000\0', 116);
    put(data.length.toString(8).padStart(11, '0') + '\0', 124);
    put('00000000000\0', 136);
    put('        ', 148);
    header[156] = 0x30;
    put('ustar\0', 257);
    put('00', 263);
    const sum = header.reduce((a, b) => a + b, 0);
    put(sum.toString(8).padStart(6, '0') + '\0 ', 148);
    chunks.push(header, data, new Uint8Array((512 - (data.length % 512)) % 512));
  }
  if (options.endBlocks !== false) chunks.push(new Uint8Array(1024));
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.length;
  }
  return out;
}

/** PNG from RGB(A) or gray pixels. */
export function writePng(width: number, height: number, pixel: (x: number, y: number) => [number, number, number]): Uint8Array {
  const png = new pngjs.PNG({ width, height });
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const [r, g, b] = pixel(x, y);
      png.data.set([r, g, b, 255], (y * width + x) * 4);
    }
  }
  return new Uint8Array(pngjs.PNG.sync.write(png));
}

export function writeJpeg(width: number, height: number, pixel: (x: number, y: number) => [number, number, number], quality = 95): Uint8Array {
  const data = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data.set([...pixel(x, y), 255], (y * width + x) * 4);
  return new Uint8Array(jpeg.encode({ data, width, height }, quality).data);
}
