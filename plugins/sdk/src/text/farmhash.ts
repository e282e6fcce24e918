// farmhash's Fingerprint64 (farmhashna::Hash64, the function TFLite's LSH_PROJECTION kernel calls
// through ::util::Fingerprint64) for keys of up to 16 bytes, ported so the hash bits computed in
// training are exactly the bits the TFLite interpreter computes at inference.
//
// Two versions: `fingerprint64` (BigInt, any key of 0–16 bytes; the readable reference) and
// `fingerprint64Key8` (32-bit limb arithmetic for the 8-byte keys LSH_PROJECTION builds from a
// float32 seed and a 4-byte element; ~50× faster, checked against the reference in tests).

const MASK64 = (1n << 64n) - 1n;
const K0 = 0xc3a5c85c97cb3127n;
const K2 = 0x9ae16a3b2f90404fn;

const mul64 = (a: bigint, b: bigint): bigint => (a * b) & MASK64;
const rotate64 = (v: bigint, s: bigint): bigint => (s === 0n ? v : ((v >> s) | (v << (64n - s))) & MASK64);
const shiftMix = (v: bigint): bigint => v ^ (v >> 47n);

function fetch64(b: Uint8Array, at: number): bigint {
  let v = 0n;
  for (let i = 7; i >= 0; i--) v = (v << 8n) | BigInt(b[at + i]);
  return v;
}

function fetch32(b: Uint8Array, at: number): bigint {
  return BigInt((b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24)) >>> 0);
}

function hashLen16(u: bigint, v: bigint, mul: bigint): bigint {
  let a = mul64(u ^ v, mul);
  a ^= a >> 47n;
  let b = mul64(v ^ a, mul);
  b ^= b >> 47n;
  return mul64(b, mul);
}

/** Fingerprint64 of `key` (0–16 bytes) as an unsigned 64-bit BigInt. */
export function fingerprint64(key: Uint8Array): bigint {
  const len = key.length;
  if (len > 16) throw new Error(`fingerprint64: keys longer than 16 bytes are not ported (got ${len})`);
  const lenB = BigInt(len);
  if (len >= 8) {
    const mul = (K2 + lenB * 2n) & MASK64;
    const a = (fetch64(key, 0) + K2) & MASK64;
    const b = fetch64(key, len - 8);
    const c = (mul64(rotate64(b, 37n), mul) + a) & MASK64;
    const d = mul64((rotate64(a, 25n) + b) & MASK64, mul);
    return hashLen16(c, d, mul);
  }
  if (len >= 4) {
    const mul = (K2 + lenB * 2n) & MASK64;
    const a = fetch32(key, 0);
    return hashLen16((lenB + (a << 3n)) & MASK64, fetch32(key, len - 4), mul);
  }
  if (len > 0) {
    const y = BigInt(key[0]) + (BigInt(key[len >> 1]) << 8n);
    const z = lenB + (BigInt(key[len - 1]) << 2n);
    // uint32 arithmetic promoted to uint64 by the multiplication with the 64-bit constants.
    return mul64(shiftMix((mul64(y, K2) ^ mul64(z, K0)) & MASK64), K2);
  }
  return K2;
}

/** The signed 64-bit value of `fingerprint64(key)` converted to a double, as the kernel does. */
export function fingerprint64AsDouble(key: Uint8Array): number {
  return Number(BigInt.asIntN(64, fingerprint64(key)));
}

// ---- fast path: 8-byte keys (seed float32 bits ‖ element 4 bytes), 64-bit values as hi/lo uint32

// Scratch outputs of the limb helpers (avoids allocating per hash).
let rHi = 0;
let rLo = 0;

/** (aHi:aLo) × (bHi:bLo) mod 2^64 into rHi:rLo. */
function mul(aHi: number, aLo: number, bHi: number, bLo: number): void {
  const a0 = aLo & 0xffff;
  const a1 = aLo >>> 16;
  const b0 = bLo & 0xffff;
  const b1 = bLo >>> 16;
  const p00 = a0 * b0;
  const p01 = a0 * b1;
  const p10 = a1 * b0;
  const mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  const loHi = a1 * b1 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16);
  rLo = (((mid & 0xffff) << 16) | (p00 & 0xffff)) >>> 0;
  rHi = (loHi + Math.imul(aLo, bHi) + Math.imul(aHi, bLo)) >>> 0;
}

/** (aHi:aLo) + (bHi:bLo) mod 2^64 into rHi:rLo. */
function add(aHi: number, aLo: number, bHi: number, bLo: number): void {
  const lo = aLo + bLo;
  rLo = lo >>> 0;
  rHi = (aHi + bHi + (lo > 0xffffffff ? 1 : 0)) >>> 0;
}

const K2_HI = 0x9ae16a3b;
const K2_LO = 0x2f90404f;
// mul = k2 + len * 2 with len = 8.
const M_HI = K2_HI;
const M_LO = (K2_LO + 16) >>> 0;

/**
 * Fingerprint64 of the 8 bytes `lo` ‖ `hi` (two little-endian uint32 words: the float32 seed's
 * bits, then the element's 4 bytes), returned as the signed 64-bit value converted to a double.
 */
export function fingerprint64Key8(lo: number, hi: number): number {
  // a = x + k2; b = x
  add(hi, lo, K2_HI, K2_LO);
  const aHi = rHi;
  const aLo = rLo;
  // c = rotate(b, 37) * mul + a: rotating right by 37 = swap words, then rotate right by 5.
  const rbHi = ((lo >>> 5) | (hi << 27)) >>> 0;
  const rbLo = ((hi >>> 5) | (lo << 27)) >>> 0;
  mul(rbHi, rbLo, M_HI, M_LO);
  add(rHi, rLo, aHi, aLo);
  const cHi = rHi;
  const cLo = rLo;
  // d = (rotate(a, 25) + b) * mul
  const raHi = ((aHi >>> 25) | (aLo << 7)) >>> 0;
  const raLo = ((aLo >>> 25) | (aHi << 7)) >>> 0;
  add(raHi, raLo, hi, lo);
  mul(rHi, rLo, M_HI, M_LO);
  const dHi = rHi;
  const dLo = rLo;
  // hashLen16(c, d, mul)
  mul((cHi ^ dHi) >>> 0, (cLo ^ dLo) >>> 0, M_HI, M_LO);
  let xHi = rHi;
  let xLo = (rLo ^ (rHi >>> 15)) >>> 0; // a ^= a >> 47 touches only the low word
  mul((dHi ^ xHi) >>> 0, (dLo ^ xLo) >>> 0, M_HI, M_LO);
  xHi = rHi;
  xLo = (rLo ^ (rHi >>> 15)) >>> 0;
  mul(xHi, xLo, M_HI, M_LO);
  // int64 → double: exact sum hi·2^32 + lo, rounded once (as static_cast<double>).
  return (rHi | 0) * 4294967296 + rLo;
}
