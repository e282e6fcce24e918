// x/y arrays from .npy files (a folder or archive holding x.npy + y.npy) or an .npz. Keras-style
// split names are respected: x_train/y_train, x_val|x_valid|x_validation, x_test/y_test.
// uint8 features are pixels: scaled to [0, 1], and a per-sample [h, w] gets a channel axis
// ([h, w, 1]) like IDX images. Other dtypes pass through as float32 unchanged.
import { DatasetError } from './errors.ts';
import { buildDataset, type IndexedDataset, type OpenOptions } from './dataset.ts';
import { NO_SPLIT, SPLIT_CODE } from './split.ts';
import type { NpyRows } from './npy.ts';
import type { DatasetFormat } from './types.ts';

const SPLIT_SUFFIXES: [string, number][] = [
  ['', NO_SPLIT],
  ['_train', SPLIT_CODE.train],
  ['_val', SPLIT_CODE.validation],
  ['_valid', SPLIT_CODE.validation],
  ['_validation', SPLIT_CODE.validation],
  ['_test', SPLIT_CODE.test],
];

interface Part {
  x: NpyRows;
  y: NpyRows;
  split: number;
  start: number;
  count: number;
}

/** `arrays` maps array names (file names without `.npy`, any folder stripped) to rows. */
export async function npyDataset(arrays: Map<string, NpyRows>, file: string, format: DatasetFormat, options: OpenOptions = {}): Promise<IndexedDataset> {
  const parts: Part[] = [];
  let total = 0;
  for (const [suffix, split] of SPLIT_SUFFIXES) {
    const x = arrays.get(`x${suffix}`);
    const y = arrays.get(`y${suffix}`);
    if (!x && !y) continue;
    if (!x) throw new DatasetError(file, `has y${suffix} but no x${suffix} array`);
    if (!y) throw new DatasetError(file, `has x${suffix} but no y${suffix} array`);
    if (x.header.shape.length < 2) throw new DatasetError(file, `x${suffix} must have a sample axis and at least one feature axis, got shape (${x.header.shape.join(', ')})`);
    const count = x.header.shape[0];
    if (y.header.shape[0] !== count) throw new DatasetError(file, `x${suffix} has ${count} rows but y${suffix} has ${y.header.shape[0] ?? 0}`);
    parts.push({ x, y, split, start: total, count });
    total += count;
  }
  if (parts.length === 0) throw new DatasetError(file, `no x/y arrays found (found: ${[...arrays.keys()].join(', ') || 'none'}); name them x and y, or x_train/y_train and x_test/y_test`);
  const first = parts[0].x.header;
  const sampleShape = first.shape.slice(1);
  for (const part of parts) {
    if (part.x.header.shape.slice(1).join(',') !== sampleShape.join(',')) throw new DatasetError(file, `x arrays disagree on sample shape: (${part.x.header.shape.slice(1).join(', ')}) vs (${sampleShape.join(', ')})`);
    if (part.x.header.dtype !== first.dtype) throw new DatasetError(file, `x arrays disagree on dtype: ${part.x.header.dtype} vs ${first.dtype}`);
  }
  const isPixels = first.dtype === 'uint8';
  const inputShape = isPixels && sampleShape.length === 2 ? [...sampleShape, 1] : sampleShape;
  const scale = isPixels ? 1 / 255 : 1;
  const perRow = sampleShape.reduce((a, b) => a * b, 1);

  const labels = new Int32Array(total);
  const explicitSplit = new Uint8Array(total);
  for (const part of parts) {
    labels.set(await readLabels(part.y, file), part.start);
    explicitSplit.fill(part.split, part.start, part.start + part.count);
  }

  return buildDataset(
    {
      file,
      format,
      kind: 'tensor',
      inputShape,
      labels,
      explicitSplit,
      store: {
        inputScale: scale,
        async readRows(ids, out) {
          // Group ids by part, keep their positions in the batch.
          for (const part of parts) {
            const local: number[] = [];
            const positions: number[] = [];
            ids.forEach((id, k) => {
              if (id >= part.start && id < part.start + part.count) {
                local.push(id - part.start);
                positions.push(k);
              }
            });
            if (local.length === 0) continue;
            const buffer = new Float32Array(local.length * perRow);
            await part.x.read(Int32Array.from(local), buffer, scale);
            positions.forEach((k, j) => out.set(buffer.subarray(j * perRow, (j + 1) * perRow), k * perRow));
          }
        },
        async close() {
          for (const part of parts) {
            await part.x.close();
            await part.y.close();
          }
        },
      },
    },
    options,
  );
}

/** Integer class ids from y: shape [n], [n, 1], or one-hot [n, k]. */
async function readLabels(y: NpyRows, file: string): Promise<Int32Array> {
  const shape = y.header.shape;
  const values = await y.readAll();
  const n = shape[0];
  const width = shape.slice(1).reduce((a, b) => a * b, 1);
  const out = new Int32Array(n);
  if (width === 1) {
    for (let i = 0; i < n; i++) {
      const v = values[i];
      if (!Number.isInteger(v) || v < 0) throw new DatasetError(file, `y[${i}] is ${v}, not a non-negative integer class id`);
      out[i] = v;
    }
    return out;
  }
  if (shape.length !== 2) throw new DatasetError(file, `y must have shape (n,), (n, 1) or one-hot (n, classes), got (${shape.join(', ')})`);
  for (let i = 0; i < n; i++) {
    let hot = -1;
    for (let j = 0; j < width; j++) {
      const v = values[i * width + j];
      if (v === 1 && hot === -1) hot = j;
      else if (v !== 0) throw new DatasetError(file, `y row ${i} is not one-hot`);
    }
    if (hot === -1) throw new DatasetError(file, `y row ${i} is not one-hot (all zeros)`);
    out[i] = hot;
  }
  return out;
}
