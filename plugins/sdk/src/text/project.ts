// Batched LSH projection of model inputs — what the `LshProjection` layer and the plugin's
// training compute, and what the exported model's LSH_PROJECTION computes in TFLite.
import { float32Bits, lshProjectDense, lshSeeds } from './lsh.ts';

export type LshInputMode = 'text' | 'vector';

export interface LshProjectionSpec {
  numHash: number;
  numBits: number;
  /** 'text': samples are [2, N] (featurizeTexts' ids and weights); 'vector': samples are D floats
   * (element i has id i and weight x_i). */
  inputMode: LshInputMode;
}

/**
 * Projects `batch` samples of `x` (row-major, `sampleSize` floats each) to bits: float32
 * [batch, numHash·numBits] of 0/1.
 */
export function lshProjectBatch(x: ArrayLike<number>, batch: number, sampleSize: number, spec: LshProjectionSpec): Float32Array {
  const seeds = lshSeeds(spec.numHash, spec.numBits);
  const out = new Float32Array(batch * seeds.length);
  if (x.length !== batch * sampleSize) throw new Error(`LSH projection: ${x.length} values for ${batch} samples of ${sampleSize}`);
  if (spec.inputMode === 'text') {
    if (sampleSize % 2 !== 0) throw new Error(`LSH projection (text): sample size ${sampleSize} is not 2·N`);
    const n = sampleSize / 2;
    const elements = new Uint32Array(n);
    const weights = new Float32Array(n);
    for (let b = 0; b < batch; b++) {
      for (let i = 0; i < n; i++) {
        elements[i] = float32Bits(x[b * sampleSize + i]);
        weights[i] = x[b * sampleSize + n + i];
      }
      lshProjectDense(seeds, elements, weights, out, b * seeds.length);
    }
  } else {
    const elements = Uint32Array.from({ length: sampleSize }, (_, i) => i);
    const weights = new Float32Array(sampleSize);
    for (let b = 0; b < batch; b++) {
      for (let i = 0; i < sampleSize; i++) weights[i] = x[b * sampleSize + i];
      lshProjectDense(seeds, elements, weights, out, b * seeds.length);
    }
  }
  return out;
}
