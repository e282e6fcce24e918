// A seeded pseudo-random generator, so a plugin's random choices (initialisation, sampling)
// repeat exactly for the same config seed.

/** Uniform [0, 1) numbers from a 32-bit seed (mulberry32: small, fast, well distributed). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
