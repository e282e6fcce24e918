// The inner loop of the LSH projection — Σ_i w_i · (double)(int64)Fingerprint64(seed ‖ element_i)
// for one seed — as a tiny hand-assembled WebAssembly function: wasm has native 64-bit integer
// multiplies, which JavaScript lacks (the limb version in farmhash.ts costs ~130 ns a hash).
// Same operations in the same order as farmhash.ts / TFLite's kernel; tests compare the two.

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

function sleb64(v: bigint): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = Number(v & 0x7fn);
    v >>= 7n;
    if ((v === 0n && (byte & 0x40) === 0) || (v === -1n && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];
const name = (s: string): number[] => [...uleb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];

const K2 = BigInt.asIntN(64, 0x9ae16a3b2f90404fn);
const MUL = BigInt.asIntN(64, 0x9ae16a3b2f90404fn + 16n); // k2 + len·2 for 8-byte keys

// Locals: 0 seed, 1 elPtr, 2 wPtr, 3 n (params, i32); 4 i (i32); 5 x, 6 a, 7 c, 8 d, 9 t (i64); 10 s (f64).
const [SEED, EL, W, N, I, X, A, C, D, T, S] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
const get = (l: number) => [0x20, l];
const set = (l: number) => [0x21, l];
const tee = (l: number) => [0x22, l];
const i64 = (v: bigint) => [0x42, ...sleb64(v)];
const i32 = (v: number) => [0x41, ...uleb(v)]; // small non-negative values only
const [I64_ADD, I64_MUL, I64_XOR, I64_OR, I64_SHL, I64_SHR_U, I64_ROTR] = [0x7c, 0x7e, 0x85, 0x84, 0x86, 0x88, 0x8a];

const body = [
  0x03, 0x01, 0x7f, 0x05, 0x7e, 0x01, 0x7c, // locals: 1 i32, 5 i64, 1 f64
  0x02, 0x40, 0x03, 0x40, // block, loop
  ...get(I), ...get(N), 0x4f, 0x0d, 0x01, // if i >= n break
  // x = u64(el[i]) << 32 | u64(seed)
  ...get(EL), ...get(I), ...i32(2), 0x74, 0x6a, 0x35, 0x02, 0x00, ...i64(32n), I64_SHL, ...get(SEED), 0xad, I64_OR, ...set(X),
  // a = x + k2
  ...get(X), ...i64(K2), I64_ADD, ...set(A),
  // c = rotr(x, 37)·mul + a
  ...get(X), ...i64(37n), I64_ROTR, ...i64(MUL), I64_MUL, ...get(A), I64_ADD, ...set(C),
  // d = (rotr(a, 25) + x)·mul
  ...get(A), ...i64(25n), I64_ROTR, ...get(X), I64_ADD, ...i64(MUL), I64_MUL, ...set(D),
  // t = (c ^ d)·mul; t ^= t >> 47
  ...get(C), ...get(D), I64_XOR, ...i64(MUL), I64_MUL, ...tee(T), ...get(T), ...i64(47n), I64_SHR_U, I64_XOR, ...set(T),
  // t = (d ^ t)·mul; t ^= t >> 47; t = t·mul
  ...get(D), ...get(T), I64_XOR, ...i64(MUL), I64_MUL, ...tee(T), ...get(T), ...i64(47n), I64_SHR_U, I64_XOR, ...i64(MUL), I64_MUL, ...set(T),
  // s = s + w[i]·(double)(int64)t
  ...get(S), ...get(W), ...get(I), ...i32(3), 0x74, 0x6a, 0x2b, 0x03, 0x00, ...get(T), 0xb9, 0xa2, 0xa0, ...set(S),
  ...get(I), ...i32(1), 0x6a, ...set(I),
  0x0c, 0x00, // continue
  0x0b, 0x0b, // end loop, end block
  ...get(S),
  0x0b,
];

const MEMORY_PAGES = 16; // 1 MiB: up to 65,536 elements (4 bytes) + weights (8 bytes)

const moduleBytes = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
  ...section(1, [0x01, 0x60, 0x04, 0x7f, 0x7f, 0x7f, 0x7f, 0x01, 0x7c]),
  ...section(3, [0x01, 0x00]),
  ...section(5, [0x01, 0x00, ...uleb(MEMORY_PAGES)]),
  ...section(7, [0x02, ...name('score'), 0x00, 0x00, ...name('memory'), 0x02, 0x00]),
  ...section(10, [0x01, ...uleb(body.length), ...body]),
]);

export interface LshScorer {
  /** Most elements one call can take. */
  readonly capacity: number;
  /** Loads one sample's elements (4-byte patterns as uint32) and weights. */
  load(elements: Uint32Array, weights: ArrayLike<number>): void;
  /** Σ w_i · (double)(int64)Fingerprint64(seedBits ‖ element_i) over the loaded sample. */
  score(seedBits: number): number;
}

let compiled: WebAssembly.Module | undefined;

/** A scorer with its own wasm memory (not shared between threads). */
export function createLshScorer(): LshScorer {
  compiled ??= new WebAssembly.Module(moduleBytes);
  const instance = new WebAssembly.Instance(compiled, {});
  const score = instance.exports.score as (seed: number, el: number, w: number, n: number) => number;
  const memory = instance.exports.memory as WebAssembly.Memory;
  const capacity = 65536;
  const elView = new Uint32Array(memory.buffer, 0, capacity);
  const wOffset = capacity * 4;
  const wView = new Float64Array(memory.buffer, wOffset, capacity);
  let n = 0;
  return {
    capacity,
    load(elements, weights) {
      if (elements.length > capacity) throw new Error(`LSH projection: at most ${capacity} elements per sample, got ${elements.length}`);
      elView.set(elements);
      for (let i = 0; i < elements.length; i++) wView[i] = weights[i];
      n = elements.length;
    },
    score: (seedBits) => score(seedBits | 0, 0, wOffset, n),
  };
}
