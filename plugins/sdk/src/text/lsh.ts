// TFLite's LSH_PROJECTION (DENSE) in JavaScript, bit for bit: for each seed s (the float32 values
// of the [numHash, numBits] "hash" tensor, row-major), bit = sign(Σ_i weight_i · h(s, element_i))
// with h = Fingerprint64(seed bytes ‖ element bytes) read as int64 and converted to double — the
// same order of summation, the same rounding, so a model trained on these bits sees the bits the
// interpreter computes. ProjectionNet (Ravi 2017, arXiv 1708.00630) feeds them to a small network.
import { fingerprint64Key8 } from './farmhash.ts';
import { createLshScorer, type LshScorer } from './lsh-wasm.ts';

/** Largest numHash·numBits: seeds are the integers 0..n-1, exact in float32 and float16 (≤ 2048),
 * so a float16 export (seeds stored as FLOAT16 and dequantized) hashes the same seed bytes. */
export const MAX_PROJECTION_BITS = 2048;

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** The bits of a float32 as a uint32 (its 4 little-endian bytes). */
export function float32Bits(value: number): number {
  f32[0] = value;
  return u32[0];
}

/** The seeds of the hash tensor: 0, 1, …, numHash·numBits − 1 as float32. */
export function lshSeeds(numHash: number, numBits: number): Float32Array {
  const n = numHash * numBits;
  if (!Number.isInteger(numHash) || !Number.isInteger(numBits) || numHash < 1 || numBits < 1 || numBits > 32) {
    throw new Error(`LSH projection needs integer numHash ≥ 1 and 1 ≤ numBits ≤ 32, got ${numHash} × ${numBits}`);
  }
  if (n > MAX_PROJECTION_BITS) throw new Error(`LSH projection: numHash × numBits must be ≤ ${MAX_PROJECTION_BITS}, got ${n}`);
  return Float32Array.from({ length: n }, (_, i) => i);
}

/**
 * Dense LSH projection of one sample: `elements` holds each input element's 4 bytes as a uint32
 * (use `float32Bits` for float32 inputs, `id >>> 0` for int32 ones), `weights` one float32 each
 * (0 for padding). Writes numSeeds bits (0/1) to `out` at `offset`.
 */
export function lshProjectDense(seeds: Float32Array, elements: Uint32Array, weights: Float32Array, out: Float32Array | Int32Array | Uint8Array, offset = 0): void {
  if (elements.length !== weights.length) throw new Error(`LSH projection: ${elements.length} elements but ${weights.length} weights`);
  // Skip padded slots: 0 × h adds +0, which never changes the sum's sign or value.
  let live = 0;
  const el = new Uint32Array(elements.length);
  const w = new Float64Array(elements.length);
  for (let i = 0; i < elements.length; i++) {
    if (weights[i] !== 0) {
      el[live] = elements[i];
      w[live] = weights[i];
      live++;
    }
  }
  const scorer = sharedScorer();
  if (scorer && live <= scorer.capacity) {
    scorer.load(el.subarray(0, live), w.subarray(0, live));
    for (let s = 0; s < seeds.length; s++) out[offset + s] = scorer.score(float32Bits(seeds[s])) > 0 ? 1 : 0;
    return;
  }
  for (let s = 0; s < seeds.length; s++) {
    const seed = float32Bits(seeds[s]);
    let score = 0;
    for (let i = 0; i < live; i++) score += w[i] * fingerprint64Key8(seed, el[i]);
    out[offset + s] = score > 0 ? 1 : 0;
  }
}

let scorer: LshScorer | null | undefined;
function sharedScorer(): LshScorer | null {
  if (scorer === undefined) {
    try {
      scorer = createLshScorer();
    } catch {
      scorer = null; // no WebAssembly: the JavaScript limb version computes the same bits
    }
  }
  return scorer;
}

/** The JavaScript-only version of `lshProjectDense` (reference for tests). */
export function lshProjectDenseJs(seeds: Float32Array, elements: Uint32Array, weights: Float32Array, out: Float32Array | Int32Array | Uint8Array, offset = 0): void {
  for (let s = 0; s < seeds.length; s++) {
    const seed = float32Bits(seeds[s]);
    let score = 0;
    for (let i = 0; i < elements.length; i++) score += weights[i] * fingerprint64Key8(seed, elements[i]);
    out[offset + s] = score > 0 ? 1 : 0;
  }
}
