// Pairs of IDX files (images + labels) as a Dataset. Files are paired by name
// ("train-images-idx3-ubyte" ↔ "train-labels-idx1-ubyte"); the name also gives the explicit
// split ("t10k"/"test" → test, "val" → validation, "train" → train).
import { DatasetError } from './errors.ts';
import { parseIdx, type IdxArray } from './idx.ts';
import { buildDataset, memoryStore, uint8PixelStore, type IndexedDataset, type OpenOptions } from './dataset.ts';
import { NO_SPLIT, SPLIT_CODE } from './split.ts';
import { DEFAULT_MAX_UNCOMPRESSED_BYTES } from './limits.ts';

interface Pair {
  key: string;
  images?: { file: string; array: IdxArray };
  labels?: { file: string; array: IdxArray };
}

export function pairKey(file: string): string {
  const base = file.split('/').pop()!.toLowerCase().replace(/\.gz$/, '');
  return base.replace(/images?|labels?/, '*').replace(/idx\d/, '').replace(/[-_.]+/g, '-');
}

function splitOf(key: string): number {
  if (/t10k|test/.test(key)) return SPLIT_CODE.test;
  if (/val/.test(key)) return SPLIT_CODE.validation;
  if (/train/.test(key)) return SPLIT_CODE.train;
  return NO_SPLIT;
}

export function idxDatasetFromFiles(files: Map<string, Uint8Array>, options: OpenOptions = {}, name = 'dataset'): IndexedDataset {
  const maxBytes = options.maxUncompressedBytes ?? DEFAULT_MAX_UNCOMPRESSED_BYTES;
  const pairs = new Map<string, Pair>();
  const parsed: { file: string; array: IdxArray }[] = [];
  let budget = maxBytes;
  for (const [file, bytes] of files) {
    const array = parseIdx(bytes, file, budget);
    budget -= array.data.byteLength;
    parsed.push({ file, array });
  }
  const imageFiles = parsed.filter((p) => p.array.shape.length >= 2);
  const labelFiles = parsed.filter((p) => p.array.shape.length === 1);
  if (imageFiles.length === 0) throw new DatasetError(name, 'no IDX image file (an array with 2 or more dimensions) found');
  if (labelFiles.length === 0) throw new DatasetError(name, 'no IDX label file (a 1-dimensional array) found');
  if (imageFiles.length === 1 && labelFiles.length === 1) {
    pairs.set('only', { key: pairKey(imageFiles[0].file), images: imageFiles[0], labels: labelFiles[0] });
  } else {
    for (const p of imageFiles) pairs.set(pairKey(p.file), { ...pairs.get(pairKey(p.file)), key: pairKey(p.file), images: p });
    for (const p of labelFiles) pairs.set(pairKey(p.file), { ...pairs.get(pairKey(p.file)), key: pairKey(p.file), labels: p });
  }
  const ordered = [...pairs.values()].sort((a, b) => splitOf(a.key) - splitOf(b.key) || a.key.localeCompare(b.key));
  for (const pair of ordered) {
    if (!pair.images) throw new DatasetError(pair.labels!.file, 'label file has no matching images file');
    if (!pair.labels) throw new DatasetError(pair.images.file, 'images file has no matching labels file');
  }

  const first = ordered[0].images!;
  const itemShape = first.array.shape.slice(1);
  const inputShape = itemShape.length === 2 ? [...itemShape, 1] : itemShape;
  const sampleSize = itemShape.reduce((a, b) => a * b, 1);
  const dtype = first.array.dtype;
  let total = 0;
  for (const { images, labels } of ordered) {
    if (images!.array.shape.slice(1).join('x') !== itemShape.join('x')) {
      throw new DatasetError(images!.file, `item shape [${images!.array.shape.slice(1).join(', ')}] differs from ${first.file}'s [${itemShape.join(', ')}]`);
    }
    if (images!.array.dtype !== dtype) throw new DatasetError(images!.file, `dtype ${images!.array.dtype} differs from ${first.file}'s ${dtype}`);
    if (labels!.array.shape[0] !== images!.array.shape[0]) {
      throw new DatasetError(labels!.file, `holds ${labels!.array.shape[0]} labels but ${images!.file} holds ${images!.array.shape[0]} images`);
    }
    if (labels!.array.dtype === 'float32' || labels!.array.dtype === 'float64') {
      const data = labels!.array.data;
      for (let i = 0; i < data.length; i++) {
        if (!Number.isInteger(data[i])) throw new DatasetError(labels!.file, `label ${i} is ${data[i]}, not an integer class id`);
      }
    }
    total += images!.array.shape[0];
  }

  const labels = new Int32Array(total);
  const explicitSplit = new Uint8Array(total);
  const features = dtype === 'uint8' ? new Uint8Array(total * sampleSize) : new Float32Array(total * sampleSize);
  let row = 0;
  for (const pair of ordered) {
    const n = pair.images!.array.shape[0];
    features.set(pair.images!.array.data as ArrayLike<number>, row * sampleSize);
    labels.set(pair.labels!.array.data as ArrayLike<number>, row);
    explicitSplit.fill(ordered.length === 1 ? NO_SPLIT : splitOf(pair.key), row, row + n);
    row += n;
  }
  return buildDataset(
    {
      file: name,
      format: 'idx',
      kind: 'tensor',
      inputShape,
      labels,
      explicitSplit,
      // uint8 IDX images are pixels: normalise to [0, 1]; other dtypes pass through as floats.
      store: features instanceof Uint8Array ? uint8PixelStore(features, sampleSize) : memoryStore(features, sampleSize),
    },
    options,
  );
}
