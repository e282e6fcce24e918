// One-dimensional k-means over a layer's weights, as used for weight sharing in Han, Mao & Dally
// 2016, "Deep Compression" (arXiv 1510.00149). In 1-D the nearest centroid is found by binary
// search over the midpoints of the sorted centroids, so an iteration costs O(n log k).
import { seededRandom } from '@condense/plugin-sdk';

export type KMeansInit = 'kmeans++' | 'linear';

export interface KMeansResult {
  /** Sorted ascending. */
  centroids: Float64Array;
  /** Index of each value's centroid. */
  assignment: Uint16Array;
  iterations: number;
}

/** Han et al.'s linear initialisation: k points evenly spaced over [min, max]. */
function linearInit(values: Float32Array, k: number): number[] {
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (k === 1) return [(min + max) / 2];
  return Array.from({ length: k }, (_, i) => min + ((max - min) * i) / (k - 1));
}

/** k-means++ seeding (Arthur & Vassilvitskii 2007) on at most 20,000 sampled values. */
function kmeansPlusPlusInit(values: Float32Array, k: number, random: () => number): number[] {
  const sampleSize = Math.min(values.length, 20000);
  const sample = new Float64Array(sampleSize);
  for (let i = 0; i < sampleSize; i++) sample[i] = values[sampleSize === values.length ? i : Math.floor(random() * values.length)];
  const centroids = [sample[Math.floor(random() * sampleSize)]];
  const dist = new Float64Array(sampleSize).fill(Infinity);
  while (centroids.length < k) {
    const last = centroids[centroids.length - 1];
    let total = 0;
    for (let i = 0; i < sampleSize; i++) {
      const d = (sample[i] - last) ** 2;
      if (d < dist[i]) dist[i] = d;
      total += dist[i];
    }
    if (total === 0) break; // fewer distinct values than k
    let target = random() * total;
    let chosen = sampleSize - 1;
    for (let i = 0; i < sampleSize; i++) {
      target -= dist[i];
      if (target <= 0) {
        chosen = i;
        break;
      }
    }
    centroids.push(sample[chosen]);
  }
  return centroids;
}

/** Assigns each value to its nearest centroid (centroids sorted ascending). */
export function assign(values: Float32Array, centroids: Float64Array, out: Uint16Array): void {
  const k = centroids.length;
  const mids = new Float64Array(Math.max(0, k - 1));
  for (let j = 0; j < k - 1; j++) mids[j] = (centroids[j] + centroids[j + 1]) / 2;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    let lo = 0;
    let hi = k - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (v > mids[mid]) lo = mid + 1;
      else hi = mid;
    }
    out[i] = lo;
  }
}

/** Lloyd iterations from `initial` until assignments stop changing or `maxIterations`. */
export function kmeans1d(values: Float32Array, k: number, options: { init: KMeansInit | number[]; maxIterations: number; seed: number }): KMeansResult {
  if (!(k >= 1 && k <= 65535)) throw new Error(`clusters must be between 1 and 65535, got ${k}`);
  if (values.length === 0) throw new Error('cannot cluster an empty weight tensor');
  const random = seededRandom(options.seed);
  const start = Array.isArray(options.init) ? options.init
    : options.init === 'linear' ? linearInit(values, k) : kmeansPlusPlusInit(values, k, random);
  let centroids = Float64Array.from(new Set(start)).sort();
  const assignment = new Uint16Array(values.length);
  const previous = new Uint16Array(values.length);
  let iterations = 0;
  for (; iterations < options.maxIterations; iterations++) {
    assign(values, centroids, assignment);
    if (iterations > 0 && assignment.every((a, i) => a === previous[i])) break;
    previous.set(assignment);
    const sums = new Float64Array(centroids.length);
    const counts = new Uint32Array(centroids.length);
    for (let i = 0; i < values.length; i++) {
      sums[assignment[i]] += values[i];
      counts[assignment[i]] += 1;
    }
    // Empty clusters are dropped: they would only waste a code.
    centroids = Float64Array.from(Array.from(sums).flatMap((s, j) => (counts[j] > 0 ? [s / counts[j]] : []))).sort();
  }
  assign(values, centroids, assignment);
  return { centroids, assignment, iterations };
}
