// openDataset: one entry point for every supported format, from a path (file or folder) or bytes.
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, join, relative } from 'node:path';
import type { DatasetFormat } from './types.ts';
import { DatasetError } from './errors.ts';
import type { IndexedDataset, OpenOptions } from './dataset.ts';
import { unpackArchive } from './archive.ts';
import { detectDatasetFormat, detectFromEntries } from './detect.ts';
import { DEFAULT_MAX_UNCOMPRESSED_BYTES, maybeGunzip } from './limits.ts';
import { idxDatasetFromFiles, pairKey } from './idx-dataset.ts';
import { looksLikeIdx } from './idx.ts';
import { npyRowsFromBytes, npyRowsFromFile, type NpyRows } from './npy.ts';
import { npyDataset } from './npy-dataset.ts';
import { csvDataset } from './csv.ts';
import { jsonlDataset } from './jsonl.ts';
import { imageFolderDataset } from './image-zip.ts';

export type DatasetSource = { path: string } | { bytes: Uint8Array; filename: string };

const FORMATS: DatasetFormat[] = ['idx', 'npy', 'npz', 'csv', 'jsonl', 'image-zip'];

export async function openDataset(source: DatasetSource, options: OpenOptions = {}): Promise<IndexedDataset> {
  if (options.format !== undefined && !FORMATS.includes(options.format)) {
    throw new DatasetError('dataset', `unknown format "${options.format}" (supported: ${FORMATS.join(', ')})`);
  }
  if ('path' in source) return openPath(source.path, options);
  return openBytes(source.bytes, source.filename, options);
}

async function openPath(path: string, options: OpenOptions): Promise<IndexedDataset> {
  const name = basename(path);
  let info;
  try {
    info = await stat(path);
  } catch (error) {
    throw new DatasetError(name, `cannot read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  if (!info.isDirectory()) {
    const bytes = await readFile(path);
    if ((options.format ?? 'idx') === 'idx' && looksLikeIdx(maybeGunzip(bytes.subarray(0, 1 << 16), name).subarray(0, 8))) return openIdxPair(path, options);
    return openBytes(bytes, name, options);
  }
  const files = await listFolder(path, options.maxUncompressedBytes ?? DEFAULT_MAX_UNCOMPRESSED_BYTES);
  const format = options.format ?? detectFromEntries([...files.keys()]);
  if (format === 'npy' || format === 'npz') {
    // Folder of .npy files: read rows by file offset, never the whole array.
    const arrays = new Map<string, NpyRows>();
    for (const entry of files.keys()) {
      if (entry.toLowerCase().endsWith('.npy')) arrays.set(arrayName(entry), await npyRowsFromFile(join(path, entry), entry));
    }
    return npyDataset(arrays, name, 'npy', options);
  }
  const loaded = new Map<string, Uint8Array>();
  for (const entry of files.keys()) loaded.set(entry, await readFile(join(path, entry)));
  return openEntries(loaded, name, format, options);
}

/** A path to one IDX file: pair it with its partner in the same folder (images ↔ labels). */
async function openIdxPair(path: string, options: OpenOptions): Promise<IndexedDataset> {
  const name = basename(path);
  const key = pairKey(name);
  const partners = (await readdir(dirname(path))).filter((entry) => entry !== name && pairKey(entry) === key);
  if (partners.length !== 1) throw new DatasetError(name, `found ${partners.length} matching images/labels files next to it; expected exactly 1 (e.g. train-images-idx3-ubyte with train-labels-idx1-ubyte)`);
  const files = new Map([[name, await readFile(path)], [partners[0], await readFile(join(dirname(path), partners[0]))]]);
  return idxDatasetFromFiles(files, options, name);
}

async function listFolder(root: string, maxBytes: number): Promise<Map<string, number>> {
  const found = new Map<string, number>();
  let total = 0;
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      if (entry.name.startsWith('.')) continue;
      const full = join(dir, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (entry.isFile()) {
        const { size } = await stat(full);
        total += size;
        if (total > maxBytes) throw new DatasetError(basename(root), `folder holds more than the ${maxBytes}-byte limit`);
        found.set(relative(root, full).split('\\').join('/'), size);
      }
    }
  };
  await walk(root);
  if (found.size === 0) throw new DatasetError(basename(root), 'folder is empty');
  return found;
}

function arrayName(entry: string): string {
  return entry.split('/').pop()!.replace(/\.npy$/i, '');
}

async function openBytes(bytes: Uint8Array, filename: string, options: OpenOptions): Promise<IndexedDataset> {
  const maxBytes = options.maxUncompressedBytes ?? DEFAULT_MAX_UNCOMPRESSED_BYTES;
  const archive = unpackArchive(bytes, filename, maxBytes);
  if (archive) return openEntries(archive, filename, options.format ?? detectFromEntries([...archive.keys()]), options);
  // A single file. Gzipped CSV/JSONL/NPY are unwrapped first; IDX handles gzip itself.
  const format = options.format ?? detectDatasetFormat(filename, maybeGunzip(bytes.subarray(0, 1 << 16), filename).subarray(0, 4096));
  switch (format) {
    case 'idx':
      throw new DatasetError(filename, 'one IDX file holds images or labels only; upload both files together (a zip/tar, or a folder)');
    case 'npy':
      throw new DatasetError(filename, 'one .npy holds a single array; upload x.npy and y.npy together (an .npz, zip or folder)');
    case 'csv':
      return csvDataset(maybeGunzip(bytes, filename, maxBytes), filename, options);
    case 'jsonl':
      return jsonlDataset(maybeGunzip(bytes, filename, maxBytes), filename, options);
    case 'npz':
    case 'image-zip':
      throw new DatasetError(filename, `not a zip archive, but ${format} data must be one`);
    default:
      throw new DatasetError(filename, `cannot tell the dataset format (supported: ${FORMATS.join(', ')}); pass format explicitly`);
  }
}

async function openEntries(files: Map<string, Uint8Array>, name: string, format: DatasetFormat | undefined, options: OpenOptions): Promise<IndexedDataset> {
  switch (format) {
    case 'idx': {
      const idxFiles = new Map([...files].filter(([entry]) => /idx\d|ubyte|\.idx/i.test(entry)));
      return idxDatasetFromFiles(idxFiles.size > 0 ? idxFiles : files, options, name);
    }
    case 'npy':
    case 'npz': {
      const arrays = new Map<string, NpyRows>();
      for (const [entry, bytes] of files) if (entry.toLowerCase().endsWith('.npy')) arrays.set(arrayName(entry), npyRowsFromBytes(bytes, `${name}: ${entry}`));
      return npyDataset(arrays, name, format, options);
    }
    case 'image-zip':
      return imageFolderDataset(files, name, options);
    case 'csv':
    case 'jsonl': {
      const matching = [...files].filter(([entry]) => entry.toLowerCase().endsWith(format === 'csv' ? '.csv' : 'l'));
      if (matching.length !== 1) throw new DatasetError(name, `archive must hold exactly one ${format} file, found ${matching.length}`);
      return format === 'csv' ? csvDataset(matching[0][1], `${name}: ${matching[0][0]}`, options) : jsonlDataset(matching[0][1], `${name}: ${matching[0][0]}`, options);
    }
    default:
      throw new DatasetError(name, `cannot tell the dataset format from its entries (${[...files.keys()].slice(0, 5).join(', ')}); supported: ${FORMATS.join(', ')}`);
  }
}
