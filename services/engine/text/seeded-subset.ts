// The seeded subset a benchmark corpus keeps when it is asked for fewer records than it has: a
// Fisher–Yates shuffle driven by xorshift32 (Marsaglia 2003), so a subset keeps the classes in
// proportion and the same seed always picks the same records.

/** Indices of `limit` records of `count` (all of them, in order, when `limit` is absent or not smaller). */
export function seededSubset(count: number, limit: number | undefined, seed = 1): number[] {
  const order = Array.from({ length: count }, (_, i) => i);
  if (limit === undefined || limit >= count) return order;
  let s = (seed * 2654435761) >>> 0 || 1;
  for (let i = order.length - 1; i > 0; i--) {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    const j = s % (i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order.slice(0, limit);
}
