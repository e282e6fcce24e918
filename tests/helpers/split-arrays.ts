// A dataset split read whole into flat arrays (pixels and labels), for tests that train or
// evaluate on it directly.
import type { Dataset } from '../../services/engine/data/index.ts';

export interface SplitArrays { x: Float32Array; y: Int32Array; n: number }

/** The first `limit` samples of `split` in the order `shuffleSeed` gives. */
export async function splitArrays(ds: Dataset, split: 'train' | 'test', limit: number, shuffleSeed: number): Promise<SplitArrays> {
  const xs: Float32Array[] = [];
  const ys: number[] = [];
  for await (const b of ds.batches(split, 500, { limit, shuffleSeed })) {
    xs.push(b.x!);
    ys.push(...b.y);
  }
  const x = new Float32Array(xs.reduce((n, c) => n + c.length, 0));
  let o = 0;
  for (const c of xs) {
    x.set(c, o);
    o += c.length;
  }
  return { x, y: Int32Array.from(ys), n: ys.length };
}
