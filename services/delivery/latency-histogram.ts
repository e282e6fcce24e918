// Fixed log-spaced latency buckets, so reports from any number of devices add up in one row:
// bucket i holds values in [MIN_MS·10^(i/10), MIN_MS·10^((i+1)/10)), ten buckets per decade from
// 0.01 ms; the first and last buckets also take everything below and above. A quantile read back
// is the bucket's geometric middle: within ±12.2 % of the true value.

export const MIN_MS = 0.01;
export const BUCKETS_PER_DECADE = 10;
/** 0.01 ms … 100 s. */
export const BUCKET_COUNT = 7 * BUCKETS_PER_DECADE;

/** The bucket a latency in milliseconds falls into. */
export function bucketOf(ms: number): number {
  if (!(ms > MIN_MS)) return 0;
  const i = Math.floor(Math.log10(ms / MIN_MS) * BUCKETS_PER_DECADE);
  return Math.min(BUCKET_COUNT - 1, i);
}

/** The value a bucket stands for (its geometric middle), in milliseconds. */
export function bucketValue(i: number): number {
  return MIN_MS * 10 ** ((i + 0.5) / BUCKETS_PER_DECADE);
}

/** The q-quantile (0 < q < 1) of a histogram's counts; null when it is empty. */
export function quantile(counts: readonly number[], q: number): number | null {
  const total = counts.reduce((a, b) => a + b, 0);
  if (total <= 0) return null;
  const rank = q * total;
  let seen = 0;
  for (let i = 0; i < counts.length; i++) {
    seen += counts[i]!;
    if (seen >= rank) return bucketValue(i);
  }
  return bucketValue(counts.length - 1);
}
