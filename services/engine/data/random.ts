// Seeded splits and shuffles, reproducible from one integer seed.
import { mulberry32 } from '../random.ts';

/** Fisher–Yates shuffle in place with a seeded generator. */
export function shuffleInPlace(values: Int32Array, seed: number): Int32Array {
  const next = mulberry32(seed);
  for (let i = values.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    const tmp = values[i];
    values[i] = values[j];
    values[j] = tmp;
  }
  return values;
}

export function permutation(count: number, seed: number): Int32Array {
  const values = new Int32Array(count);
  for (let i = 0; i < count; i++) values[i] = i;
  return shuffleInPlace(values, seed);
}
