// A text dataset seen through a Keras tokenizer: every batch's texts become float32 token-id
// rows [size, length] (tokenizeTexts), the texts kept beside them (a ProjectionNet hashes the
// raw text while its trainer reads the token ids), so training, calibration and evaluation of a user's
// Embedding model read the same numbers an app computes with the same front end.
import type { IndexedDataset } from '../data/dataset.ts';
import type { Batch, Split } from '../data/types.ts';
import { tokenizeTexts, type KerasTokenizer, type PaddingOptions } from './keras-tokenizer.ts';

export function tokenizedDataset(dataset: IndexedDataset, tokenizer: KerasTokenizer, padding: PaddingOptions): IndexedDataset {
  if (dataset.info.kind !== 'text') throw new Error(`tokenizedDataset needs a text dataset; this one is '${dataset.info.kind}'`);
  async function* batches(split: Split, batchSize: number, options?: { shuffleSeed?: number; limit?: number }): AsyncIterable<Batch> {
    for await (const batch of dataset.batches(split, batchSize, options)) {
      yield { size: batch.size, x: tokenizeTexts(batch.texts ?? [], tokenizer, padding), texts: batch.texts ?? [], y: batch.y };
    }
  }
  return { ...dataset, info: { ...dataset.info, kind: 'tensor', texts: true, inputShape: [padding.length] }, batches };
}
