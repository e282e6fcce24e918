// Opens HDF5 bytes with h5wasm (ESM build, in-memory Emscripten FS): the bytes are written to a
// unique MEMFS path, read, and removed again.
import h5wasm from 'h5wasm';
import { ModelImportError } from './errors.ts';

export type H5File = InstanceType<typeof h5wasm.File>;
export type H5Group = InstanceType<typeof h5wasm.Group>;
export type H5Dataset = InstanceType<typeof h5wasm.Dataset>;

let counter = 0;
let quiet = false;

/** HDF5's error stack as one short reason ("unable to synchronously open file"). */
function reason(error: unknown): string {
  const text = String((error as Error)?.message ?? error);
  const first = /#000:.*?\(\): ([^\n]+)/.exec(text);
  return (first ? first[1] : text.split('\n')[0]).trim();
}

export const HDF5_MAGIC = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

export function isHdf5(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && HDF5_MAGIC.every((b, i) => bytes[i] === b);
}

export async function withH5<T>(bytes: Uint8Array, label: string, read: (file: H5File) => T | Promise<T>): Promise<T> {
  if (!isHdf5(bytes)) throw new ModelImportError(`${label} is not an HDF5 file (bad signature)`);
  const module = await h5wasm.ready;
  if (!quiet) {
    // Raise HDF5 errors as JS exceptions instead of printing diagnostics to stderr.
    (module as unknown as { activate_throwing_error_handler(): number }).activate_throwing_error_handler();
    quiet = true;
  }
  const path = `/condense-import-${process.pid}-${counter++}.h5`;
  module.FS.writeFile(path, bytes);
  let file: H5File | undefined;
  try {
    try {
      file = new h5wasm.File(path, 'r');
    } catch (error) {
      throw new ModelImportError(`${label} cannot be opened as HDF5 (${reason(error)}; truncated or corrupt)`);
    }
    try {
      return await read(file);
    } catch (error) {
      if (error instanceof ModelImportError) throw error;
      throw new ModelImportError(`${label} is corrupt or truncated (HDF5 read failed: ${reason(error)})`);
    }
  } finally {
    try {
      file?.close();
    } catch {
      // already closed or never opened
    }
    module.FS.unlink(path);
  }
}

/** A string or string-list attribute, joining Keras' chunked `name0`, `name1`, ... form. */
export function stringListAttribute(node: { attrs: Record<string, { value: unknown }> }, name: string): string[] | undefined {
  const attrs = node.attrs;
  const one = attrs[name];
  const asList = (value: unknown): string[] => {
    if (Array.isArray(value)) return value.map(String);
    if (ArrayBuffer.isView(value)) return Array.from(value as unknown as ArrayLike<unknown>, String);
    return [String(value)];
  };
  if (one) return asList(one.value);
  if (!attrs[`${name}0`]) return undefined;
  const out: string[] = [];
  for (let i = 0; attrs[`${name}${i}`]; i++) out.push(...asList(attrs[`${name}${i}`].value));
  return out;
}

export function stringAttribute(node: { attrs: Record<string, { value: unknown }> }, name: string): string | undefined {
  const attr = node.attrs[name];
  if (!attr) return undefined;
  const value = attr.value;
  if (typeof value === 'string') return value;
  if (value instanceof Uint8Array) return new TextDecoder().decode(value);
  return String(value);
}

/** A dataset's values as float32 (or int32 for integer weights), with its shape. */
export function readDataset(dataset: unknown, label: string): { shape: number[]; values: Float32Array | Int32Array } {
  if (!(dataset instanceof h5wasm.Dataset)) throw new ModelImportError(`${label} is not an HDF5 dataset`);
  let value: unknown;
  try {
    value = dataset.value;
  } catch (error) {
    throw new ModelImportError(`${label} cannot be read (${reason(error)})`);
  }
  const shape = dataset.shape ?? [];
  const count = shape.reduce((a, b) => a * b, 1);
  let values: Float32Array | Int32Array;
  if (value instanceof Float32Array) values = value;
  else if (value instanceof Int32Array) values = value;
  else if (ArrayBuffer.isView(value) && !(value instanceof DataView)) values = Float32Array.from(value as unknown as ArrayLike<number>, Number);
  else if (typeof value === 'number') values = Float32Array.of(value);
  else throw new ModelImportError(`${label} has unsupported dtype ${JSON.stringify(dataset.dtype)}`);
  if (values.length !== count) throw new ModelImportError(`${label} holds ${values.length} values for shape [${shape.join(', ')}]`);
  return { shape, values };
}
