// A text dataset seen through a token front end (a Keras Tokenizer or TextVectorization): every
// batch's texts become float32 token-id rows [size, length], the texts kept beside them (a
// ProjectionNet hashes the raw text while its trainer reads the token ids), so training,
// calibration and evaluation of a user's Embedding model read the same numbers an app computes
// with the same front end. `withVocabularyRows` re-reads such a dataset for a model whose
// Embedding kept fewer rows (vocabulary pruning), as the candidate's file ships its front end.
import type { IndexedDataset } from '../data/dataset.ts';
import type { Batch, Dataset, DatasetInfo, Split } from '../data/types.ts';
import type { KerasTokenizer, PaddingOptions } from './keras-tokenizer.ts';
import { tokenFrontEndForRows, tokenIds, tokenLength, tokenRows, type TokenFrontEnd } from './token-front-end.ts';

/** The front end behind a tokenized dataset, by its info object (wrappers such as a sample cap keep `info`). */
const frontEnds = new WeakMap<DatasetInfo, TokenFrontEnd>();

export function tokenIdsDataset(dataset: IndexedDataset, frontEnd: TokenFrontEnd): IndexedDataset {
  if (dataset.info.kind !== 'text') throw new Error(`tokenizedDataset needs a text dataset; this one is '${dataset.info.kind}'`);
  async function* batches(split: Split, batchSize: number, options?: { shuffleSeed?: number; limit?: number }): AsyncIterable<Batch> {
    for await (const batch of dataset.batches(split, batchSize, options)) {
      yield { size: batch.size, x: tokenIds(frontEnd, batch.texts ?? []), texts: batch.texts ?? [], y: batch.y };
    }
  }
  const info = { ...dataset.info, kind: 'tensor' as const, texts: true, inputShape: [tokenLength(frontEnd)] };
  frontEnds.set(info, frontEnd);
  return { ...dataset, info, batches };
}

/** A text dataset through a Keras tokenizer and pad_sequences options. */
export function tokenizedDataset(dataset: IndexedDataset, tokenizer: KerasTokenizer, padding: PaddingOptions): IndexedDataset {
  return tokenIdsDataset(dataset, { kind: 'keras-tokenizer', tokenizer, padding: { padding: 'pre', truncating: 'pre', ...padding } });
}

/** The front end a dataset made by `tokenIdsDataset` reads its texts with. */
export function frontEndOfDataset(dataset: Pick<Dataset, 'info'>): TokenFrontEnd | undefined {
  return frontEnds.get(dataset.info);
}

/**
 * `dataset` (token ids through a front end) as a model with `rows` embedding rows reads it: the
 * texts read again with the front end limited to `rows` ids (tokenFrontEndForRows); the dataset
 * itself when nothing changes.
 */
export function withVocabularyRows<D extends Dataset>(dataset: D, rows: number): D {
  const source = frontEndOfDataset(dataset);
  if (!source || rows >= tokenRows(source)) return dataset;
  const frontEnd = tokenFrontEndForRows(source, rows);
  async function* batches(split: Split, batchSize: number, options?: { shuffleSeed?: number; limit?: number }): AsyncIterable<Batch> {
    for await (const batch of dataset.batches(split, batchSize, options)) {
      yield { ...batch, x: tokenIds(frontEnd, batch.texts ?? []) };
    }
  }
  const info = { ...dataset.info };
  frontEnds.set(info, frontEnd);
  return { ...dataset, info, batches };
}
