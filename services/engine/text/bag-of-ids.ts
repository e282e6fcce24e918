// The bag-of-ids input of an Embedding → GlobalAveragePooling1D model, for runtimes without GATHER
// (the Edge TPU's op set; Arm NN 20.08's TfLiteParser, docs/text.md): averaging the embedding rows
// of a text's ids is a product of the text's id counts with the table, so the model can read the
// counts and multiply them by the table in one FULLY_CONNECTED (./bag-of-ids-model.ts):
//   unmasked pooling (every position, padding included, counts 1/L):
//     mean_t E[id_t] = E[0] + Σ_{v≠0} count_v · (E[v] − E[0]) / L      → input: counts of ids ≠ 0
//   masked pooling (mask_zero: the mean over the n non-padding ids; 0 when n = 0):
//     Σ_{v≠0} (count_v / n) · E[v]                                      → input: count_v / n
// Counting leaves the padding out, so the input's values stay small counts (an int8 input
// quantizes them well). Pure JavaScript: the reference featuriser apps run.
import type { Batch, Dataset, Split } from '../data/index.ts';

export interface BagOfIds {
  /** Width of the input: the Embedding's rows (ids 0..rows−1; slot 0, the padding, stays 0). */
  rows: number;
  /** 'count': unmasked pooling (id counts); 'fraction': masked pooling (count / non-padding ids). */
  weighting: 'count' | 'fraction';
}

/** Token ids float32 [batch, L] → the bag input float32 [batch, rows]. */
export function bagOfIds(ids: ArrayLike<number>, batch: number, bag: BagOfIds): Float32Array {
  const { rows } = bag;
  const length = batch > 0 ? ids.length / batch : 0;
  if (!Number.isInteger(length)) throw new Error(`bag of ids: ${ids.length} ids for ${batch} texts`);
  const out = new Float32Array(batch * rows);
  for (let b = 0; b < batch; b++) {
    let live = 0;
    for (let t = 0; t < length; t++) {
      const id = ids[b * length + t];
      if (id === 0) continue;
      if (!Number.isInteger(id) || id < 0 || id >= rows) throw new Error(`bag of ids: token id ${id} is outside the embedding's ${rows} rows`);
      out[b * rows + id] += 1;
      live++;
    }
    if (bag.weighting === 'fraction' && live > 0) {
      for (let v = b * rows + 1; v < (b + 1) * rows; v++) if (out[v] !== 0) out[v] /= live;
    }
  }
  return out;
}

/** A token-id dataset as the bag-of-ids form of its model reads it. */
export function bagOfIdsDataset<D extends Dataset>(dataset: D, bag: BagOfIds): D {
  async function* batches(split: Split, batchSize: number, options?: { shuffleSeed?: number; limit?: number }): AsyncIterable<Batch> {
    for await (const batch of dataset.batches(split, batchSize, options)) yield { ...batch, x: bagOfIds(batch.x!, batch.size, bag) };
  }
  return { ...dataset, info: { ...dataset.info, inputShape: [bag.rows] }, batches };
}
