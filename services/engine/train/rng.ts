// The training loop's generator is the engine's one seeded generator; see ../random.ts.
export { SeededRandom } from '../random.ts';

/** Per-epoch shuffle seed: distinct for every epoch, identical across runs with the same seed. */
export function epochShuffleSeed(seed: number, epoch: number): number {
  return ((seed * 1000003) ^ (epoch * 7919 + 1)) >>> 0;
}
