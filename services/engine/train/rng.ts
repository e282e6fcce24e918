// A small seeded generator (mulberry32) whose whole state is one uint32, so the training loop
// can checkpoint its position and a resumed run draws the same numbers.
export class SeededRandom {
  state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  next = (): number => {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Per-epoch shuffle seed: distinct for every epoch, identical across runs with the same seed. */
export function epochShuffleSeed(seed: number, epoch: number): number {
  return ((seed * 1000003) ^ (epoch * 7919 + 1)) >>> 0;
}
