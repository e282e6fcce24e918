// Minimal NumPy .npy/.npz writer: enough to hand a dataset to the API as an NPZ upload.
// Format: https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html (version 1.0).
import { zipSync } from 'fflate';

type NpyArray = { descr: '|u1' | '<i4' | '<f4'; shape: number[]; data: Uint8Array | Int32Array | Float32Array };

export function encodeNpy({ descr, shape, data }: NpyArray): Uint8Array {
  const count = shape.reduce((a, b) => a * b, 1);
  if (count !== data.length) throw new Error(`npy: shape (${shape.join(', ')}) holds ${count} values, data has ${data.length}`);
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  // magic (6) + version (2) + header length (2) + header, padded with spaces to a multiple of 64, ending in \n.
  const unpadded = 10 + header.length + 1;
  header += ' '.repeat((64 - (unpadded % 64)) % 64) + '\n';
  const out = new Uint8Array(10 + header.length + data.byteLength);
  out.set([0x93, ...new TextEncoder().encode('NUMPY'), 1, 0], 0);
  new DataView(out.buffer).setUint16(8, header.length, true);
  out.set(new TextEncoder().encode(header), 10);
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), 10 + header.length);
  return out;
}

/** An .npz: a zip of `<name>.npy` entries. */
export function encodeNpz(arrays: Record<string, NpyArray>): Uint8Array {
  const files: Record<string, Uint8Array> = {};
  for (const [name, array] of Object.entries(arrays)) files[`${name}.npy`] = encodeNpy(array);
  // A fixed timestamp keeps the bytes (and so the upload's sha256) reproducible.
  return zipSync(files, { level: 6, mtime: new Date('1980-01-01T00:00:00Z') });
}
