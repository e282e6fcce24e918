// A text dataset seen through a Keras tokenizer: every batch's texts become float32 token-id
// rows [size, length] (tokenizeTexts), the texts kept beside them (a ProjectionNet hashes the
// raw text while its trainer reads the token ids), so training, calibration and evaluation of a user's
// Embedding model read the same numbers an app computes with the same front end.
// `withVocabularyRows` re-reads such a dataset for a model whose Embedding kept fewer rows
// (vocabulary pruning): the tokenizer with num_words = rows, as the candidate's file ships it.
import type { IndexedDataset } from '../data/dataset.ts';
import type { Batch, Dataset, DatasetInfo, Split } from '../data/types.ts';
import { tokenizeTexts, type KerasTokenizer, type PaddingOptions } from './keras-tokenizer.ts';

/** The tokenizer behind a tokenized dataset, by its info object (wrappers such as a sample cap keep `info`). */
const tokenizers = new WeakMap<DatasetInfo, { tokenizer: KerasTokenizer; padding: PaddingOptions }>();

export function tokenizedDataset(dataset: IndexedDataset, tokenizer: KerasTokenizer, padding: PaddingOptions): IndexedDataset {
  if (dataset.info.kind !== 'text') throw new Error(`tokenizedDataset needs a text dataset; this one is '${dataset.info.kind}'`);
  async function* batches(split: Split, batchSize: number, options?: { shuffleSeed?: number; limit?: number }): AsyncIterable<Batch> {
    for await (const batch of dataset.batches(split, batchSize, options)) {
      yield { size: batch.size, x: tokenizeTexts(batch.texts ?? [], tokenizer, padding), texts: batch.texts ?? [], y: batch.y };
    }
  }
  const info = { ...dataset.info, kind: 'tensor' as const, texts: true, inputShape: [padding.length] };
  tokenizers.set(info, { tokenizer, padding });
  return { ...dataset, info, batches };
}

/** The tokenizer and padding a dataset made by `tokenizedDataset` reads its texts with. */
export function tokenizerOfDataset(dataset: Pick<Dataset, 'info'>): { tokenizer: KerasTokenizer; padding: PaddingOptions } | undefined {
  return tokenizers.get(dataset.info);
}

/** The number of ids a tokenizer emits (num_words, else its largest id + 1). */
export function tokenizerRows(tokenizer: KerasTokenizer): number {
  return tokenizer.numWords ?? Math.max(0, ...tokenizer.wordIndex.values()) + 1;
}

/** The tokenizer as a model whose Embedding has `rows` rows reads it: num_words = rows when that is fewer. */
export function tokenizerForRows(tokenizer: KerasTokenizer, rows: number): KerasTokenizer {
  return rows < tokenizerRows(tokenizer) ? { ...tokenizer, numWords: rows } : tokenizer;
}

/**
 * `dataset` (token ids through a tokenizer) as a model with `rows` embedding rows reads it: the
 * texts tokenized again with num_words = rows (ids ≥ rows become the OOV id, or are dropped when
 * the tokenizer has none — Keras' rule); the dataset itself when nothing changes.
 */
export function withVocabularyRows<D extends Dataset>(dataset: D, rows: number): D {
  const source = tokenizerOfDataset(dataset);
  if (!source || rows >= tokenizerRows(source.tokenizer)) return dataset;
  const tokenizer = tokenizerForRows(source.tokenizer, rows);
  async function* batches(split: Split, batchSize: number, options?: { shuffleSeed?: number; limit?: number }): AsyncIterable<Batch> {
    for await (const batch of dataset.batches(split, batchSize, options)) {
      yield { ...batch, x: tokenizeTexts(batch.texts ?? [], tokenizer, source!.padding) };
    }
  }
  const info = { ...dataset.info };
  tokenizers.set(info, { tokenizer, padding: source.padding });
  return { ...dataset, info, batches };
}
