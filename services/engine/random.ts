// The engine's one seeded generator (mulberry32): its whole state is one uint32, so the training
// loop can checkpoint its position and data splits and shuffles repeat from one integer seed.
export class SeededRandom {
  state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next = (): number => {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A generator function of uniform [0, 1) numbers from `seed`. */
export function mulberry32(seed: number): () => number {
  return new SeededRandom(seed).next;
}
