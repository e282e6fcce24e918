// The data a plugin sees. Re-declared here (same shapes as the host's dataset contract) so a
// plugin depends on nothing but this SDK.

/** The splits a plugin may read. The test split is held back for the host's final measurement. */
export type PluginSplit = 'train' | 'validation';

/** One batch: `x` is row-major with shape [size, ...inputShape]; text datasets carry `texts` instead. */
export interface Batch {
  size: number;
  x?: Float32Array;
  texts?: string[];
  /** Integer class labels, one per sample. */
  y: Int32Array;
}

export interface DatasetInfo {
  kind: 'tensor' | 'text';
  /** A tensor view of a text dataset (token ids, featurised n-grams): batches also carry the raw `texts`. */
  texts?: boolean;
  /** Per-sample input shape, e.g. [28, 28, 1]; [] for text. */
  inputShape: number[];
  numClasses: number;
  /** Class names, index = label id. */
  labels: string[];
  /** Sample counts per split. */
  splits: { train: number; validation: number; test: number };
  sampleCount: number;
}

export interface BatchOptions {
  /** Shuffle deterministically with this seed. */
  shuffleSeed?: number;
  /** Read at most this many samples. */
  limit?: number;
}

/** Training and validation data, streamed in batches from the host. */
export interface PluginDataset {
  info: DatasetInfo;
  batches(split: PluginSplit, batchSize: number, options?: BatchOptions): AsyncIterable<Batch>;
}
