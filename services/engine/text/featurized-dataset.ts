// A text dataset seen through a ProjectionNet's featuriser: every batch's texts become the
// model's float32 input [size, 2, maxFeatures] (featurizeTexts: hashed n-gram ids and weights),
// so evaluation, calibration and the exported file read what an app computes from a string.
import type { Dataset, Batch, Split } from '../data/types.ts';
import { featurizeTexts, lshProjectBatch, type TextFeaturizerConfig } from '../../../plugins/sdk/src/text/index.ts';

export function featurizedDataset<D extends Dataset>(dataset: D, featurizer: TextFeaturizerConfig): D {
  if (dataset.info.kind !== 'text' && !dataset.info.texts) throw new Error(`featurizedDataset needs a dataset with texts; this one is '${dataset.info.kind}'`);
  async function* batches(split: Split, batchSize: number, options?: { shuffleSeed?: number; limit?: number }): AsyncIterable<Batch> {
    for await (const batch of dataset.batches(split, batchSize, options)) {
      const texts = batch.texts ?? [];
      yield { size: batch.size, x: featurizeTexts(texts, featurizer), texts, y: batch.y };
    }
  }
  return { ...dataset, info: { ...dataset.info, kind: 'tensor', texts: true, inputShape: [2, featurizer.maxFeatures] }, batches };
}

/** A text dataset as a ProjectionNet whose front end hashes reads it: featurizeTexts, then the
 * LSH projection's T·d bits (lshProjectBatch, bit-equal to TFLite's LSH_PROJECTION) per sample. */
export function projectedDataset<D extends Dataset>(dataset: D, featurizer: TextFeaturizerConfig, numHash: number, numBits: number): D {
  const features = featurizedDataset(dataset, featurizer);
  const width = numHash * numBits;
  async function* batches(split: Split, batchSize: number, options?: { shuffleSeed?: number; limit?: number }): AsyncIterable<Batch> {
    for await (const batch of features.batches(split, batchSize, options)) {
      yield { ...batch, x: lshProjectBatch(batch.x!, batch.size, 2 * featurizer.maxFeatures, { numHash, numBits, inputMode: 'text' }) };
    }
  }
  return { ...features, info: { ...features.info, inputShape: [width] }, batches };
}
