// The contract every dataset reader produces and every trainer consumes.
// Batches are plain typed arrays (not tensors) so they cross worker boundaries
// and the consumer decides when to upload them to the backend.

export type Split = 'train' | 'validation' | 'test';

export type DatasetFormat = 'idx' | 'npy' | 'npz' | 'csv' | 'jsonl' | 'image-zip';

/** One batch: `x` is row-major with shape [size, ...inputShape]; text datasets carry `texts` instead. */
export interface Batch {
  size: number;
  x?: Float32Array;
  texts?: string[];
  /** Integer class labels, one per sample. */
  y: Int32Array;
}

export interface DatasetInfo {
  format: DatasetFormat;
  /** 'tensor' for numeric inputs, 'text' for JSONL text. */
  kind: 'tensor' | 'text';
  /** A tensor view of a text dataset (token ids, featurised n-grams): batches also carry the raw `texts`. */
  texts?: boolean;
  /** Per-sample input shape, e.g. [28, 28, 1]; [] for text. */
  inputShape: number[];
  numClasses: number;
  /** Human-readable class names, index = label id. */
  labels: string[];
  /** Factor applied to the file's raw values before the model sees them (1/255 for uint8 pixels, else 1). */
  inputScale: number;
  /** Sample counts per split after the seeded split. */
  splits: Record<Split, number>;
  sampleCount: number;
}

export interface Dataset {
  info: DatasetInfo;
  /** Streams one split in batches; shuffles with `seed` when given (deterministic). */
  batches(split: Split, batchSize: number, options?: { shuffleSeed?: number; limit?: number }): AsyncIterable<Batch>;
}
