// Builds a `Dataset` from any reader: the reader supplies labels, optional per-sample explicit
// splits and a `SampleStore` that materialises features for a list of sample ids; this module
// does the checks, the seeded split, sub-sampling and batching shared by all formats.
import type { Batch, Dataset, DatasetFormat, DatasetInfo, Split } from './types.ts';
import { DatasetError } from './errors.ts';
import { assignSplits } from './split.ts';
import { permutation, shuffleInPlace } from './random.ts';

/** Where features live. Readers decide whether that is memory, a file read by offsets, etc. */
export interface SampleStore {
  /** Writes the float32 features of `ids[k]` at `out[k * sampleSize ...]`. */
  readRows?(ids: Int32Array, out: Float32Array): Promise<void> | void;
  /** For text datasets. */
  readTexts?(ids: Int32Array): Promise<string[]> | string[];
  close?(): Promise<void>;
  /** Factor readRows applies to the stored raw values (default 1). */
  inputScale?: number;
}

export interface OpenOptions {
  format?: DatasetFormat;
  seed?: number;
  validationFraction?: number;
  testFraction?: number;
  labelColumn?: string;
  /** Text datasets: the field (JSONL) or column (CSV) holding the text (default `text`). */
  textColumn?: string;
  /** Text datasets: the class names in id order; a label outside them is an error (default: taken from the data). */
  labels?: string[];
  maxSamples?: number;
  /** Image zips: [height, width] every image is resized to (default: the first image's size). */
  imageSize?: [number, number];
  /** Cap on bytes any archive/gzip may expand to (default 2 GiB). */
  maxUncompressedBytes?: number;
}

export interface DatasetParts {
  file: string;
  format: DatasetFormat;
  kind: 'tensor' | 'text';
  inputShape: number[];
  labels: Int32Array;
  /** Class names, index = label id; when absent they are "0".."n-1" with n = max label + 1. */
  labelNames?: string[];
  explicitSplit?: Uint8Array;
  store: SampleStore;
}

export const DEFAULT_VALIDATION_FRACTION = 0.1;
export const DEFAULT_TEST_FRACTION = 0.1;

/** Dataset with its split indices exposed (useful to tests and to callers that need ids). */
export interface IndexedDataset extends Dataset {
  splitIndices: Record<Split, Int32Array>;
  close(): Promise<void>;
}

export function buildDataset(parts: DatasetParts, options: OpenOptions = {}): IndexedDataset {
  const { file, labels } = parts;
  const count = labels.length;
  if (count === 0) throw new DatasetError(file, 'dataset holds no samples');
  const validationFraction = checkFraction(file, 'validationFraction', options.validationFraction ?? DEFAULT_VALIDATION_FRACTION);
  const testFraction = checkFraction(file, 'testFraction', options.testFraction ?? DEFAULT_TEST_FRACTION);
  if (validationFraction + testFraction >= 1) throw new DatasetError(file, 'validationFraction + testFraction must be below 1');
  const seed = options.seed ?? 0;
  if (!Number.isInteger(seed)) throw new DatasetError(file, `seed must be an integer, got ${seed}`);

  let maxLabel = -1;
  for (let i = 0; i < count; i++) {
    const label = labels[i];
    if (label < 0) throw new DatasetError(file, `sample ${i} has negative label ${label}`);
    if (label > maxLabel) maxLabel = label;
  }
  const labelNames = parts.labelNames ?? Array.from({ length: maxLabel + 1 }, (_, i) => String(i));
  if (maxLabel >= labelNames.length) throw new DatasetError(file, `label ${maxLabel} is out of range for ${labelNames.length} classes`);

  let ids: Int32Array = Int32Array.from({ length: count }, (_, i) => i);
  if (options.maxSamples !== undefined) {
    if (!Number.isInteger(options.maxSamples) || options.maxSamples < 1) throw new DatasetError(file, `maxSamples must be a positive integer, got ${options.maxSamples}`);
    if (options.maxSamples < count) ids = permutation(count, seed + 7).subarray(0, options.maxSamples).slice().sort();
  }
  const splitIndices = assignSplits(ids, parts.explicitSplit, { seed, validationFraction, testFraction });
  const sampleSize = parts.inputShape.reduce((a, b) => a * b, 1);

  const info: DatasetInfo = {
    format: parts.format,
    kind: parts.kind,
    inputShape: parts.inputShape.slice(),
    numClasses: labelNames.length,
    labels: labelNames,
    inputScale: parts.store.inputScale ?? 1,
    splits: { train: splitIndices.train.length, validation: splitIndices.validation.length, test: splitIndices.test.length },
    sampleCount: ids.length,
  };

  async function* batches(split: Split, batchSize: number, batchOptions: { shuffleSeed?: number; limit?: number } = {}): AsyncIterable<Batch> {
    if (!(split in splitIndices)) throw new DatasetError(file, `unknown split "${split}" (use train, validation or test)`);
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new DatasetError(file, `batch size must be a positive integer, got ${batchSize}`);
    let order = splitIndices[split];
    if (batchOptions.shuffleSeed !== undefined) order = shuffleInPlace(order.slice(), batchOptions.shuffleSeed);
    if (batchOptions.limit !== undefined) order = order.subarray(0, Math.max(0, batchOptions.limit));
    for (let start = 0; start < order.length; start += batchSize) {
      const chunk = order.subarray(start, Math.min(order.length, start + batchSize));
      const y = new Int32Array(chunk.length);
      for (let k = 0; k < chunk.length; k++) y[k] = labels[chunk[k]];
      if (parts.kind === 'text') {
        const texts = await parts.store.readTexts!(chunk);
        yield { size: chunk.length, texts, y };
      } else {
        const x = new Float32Array(chunk.length * sampleSize);
        await parts.store.readRows!(chunk, x);
        yield { size: chunk.length, x, y };
      }
    }
  }

  return { info, batches, splitIndices, close: async () => { await parts.store.close?.(); } };
}

function checkFraction(file: string, name: string, value: number): number {
  if (!(value >= 0 && value < 1)) throw new DatasetError(file, `${name} must be in [0, 1), got ${value}`);
  return value;
}

/** A store over features already in memory as float32 rows. */
export function memoryStore(x: Float32Array, sampleSize: number): SampleStore {
  return {
    readRows(ids, out) {
      for (let k = 0; k < ids.length; k++) out.set(x.subarray(ids[k] * sampleSize, (ids[k] + 1) * sampleSize), k * sampleSize);
    },
  };
}

/** A store over uint8 pixels in memory, normalised to [0, 1] when read. */
export function uint8PixelStore(pixels: Uint8Array, sampleSize: number): SampleStore {
  return {
    inputScale: 1 / 255,
    readRows(ids, out) {
      for (let k = 0; k < ids.length; k++) {
        const base = ids[k] * sampleSize;
        const o = k * sampleSize;
        for (let j = 0; j < sampleSize; j++) out[o + j] = pixels[base + j] / 255;
      }
    },
  };
}
