// Quantization arithmetic following TFLite's int8 spec
// (https://www.tensorflow.org/lite/performance/quantization_spec): weights symmetric int8 in
// [-127, 127] (per channel for convolutions), activations asymmetric int8 per tensor, biases
// int32 with scale = input_scale × weight_scale and zero point 0.
import type { TensorRange } from './ir-interpreter.ts';

export interface AffineParams {
  scale: number;
  zeroPoint: number;
}

export interface QuantizedWeights {
  values: Int8Array;
  scales: number[];
}

/** Asymmetric int8 parameters covering [min, max] ∪ {0} (zero must be exactly representable). */
export function asymmetricParams(range: TensorRange): AffineParams {
  const min = Math.min(0, range.min);
  let max = Math.max(0, range.max);
  // A tensor that never moved in calibration (e.g. a dead ReLU) still needs a sane scale:
  // tiny scales make the requantization multipliers of the ops around it overflow.
  if (max - min < 1e-4) max = min + 1e-4;
  const scale = Math.fround((max - min) / 255);
  const zeroPoint = Math.max(-128, Math.min(127, Math.round(-128 - min / scale)));
  return { scale, zeroPoint };
}

export function quantizeAsymmetric(values: Float32Array, p: AffineParams): Int8Array {
  const out = new Int8Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = Math.max(-128, Math.min(127, Math.round(values[i] / p.scale) + p.zeroPoint));
  return out;
}

/**
 * Symmetric int8 weights. `axis` null → one scale; otherwise one scale per index of `axis` in a
 * row-major tensor of `shape`. `minScales` (one per channel) raises scales where needed, e.g. so
 * the bias of a pruned, near-zero channel still fits int32.
 */
export function quantizeSymmetric(values: Float32Array, shape: number[], axis: number | null, minScales?: number[]): QuantizedWeights {
  const channels = axis === null ? 1 : shape[axis];
  const inner = axis === null ? values.length : shape.slice(axis + 1).reduce((a, d) => a * d, 1);
  const channelOf = (i: number) => (axis === null ? 0 : Math.floor(i / inner) % channels);
  const maxAbs = new Float64Array(channels);
  for (let i = 0; i < values.length; i++) maxAbs[channelOf(i)] = Math.max(maxAbs[channelOf(i)], Math.abs(values[i]));
  // An all-zero channel still needs a positive scale; its values quantize to 0 anyway.
  const scales = Array.from(maxAbs, (m, c) => Math.fround(Math.max(m > 0 ? m / 127 : 1 / 127, minScales?.[c] ?? 0)));
  const out = new Int8Array(values.length);
  for (let i = 0; i < values.length; i++) {
    out[i] = Math.max(-127, Math.min(127, Math.round(values[i] / scales[channelOf(i)])));
  }
  return { values: out, scales };
}

/** Smallest weight scale per channel keeping |bias / (inputScale × weightScale)| within 2^30. */
export function biasSafeWeightScales(bias: Float32Array, inputScale: number, perChannel: boolean): number[] {
  const limit = 2 ** 30;
  const needed = Array.from(bias, (b) => Math.abs(b) / (inputScale * limit));
  return perChannel ? needed : [Math.max(0, ...needed)];
}

/** int32 bias with per-channel scale = fround(inputScale × weightScale[c]). */
export function quantizeBias(values: Float32Array, inputScale: number, weightScales: number[]): { values: Int32Array; scales: number[] } {
  const scales = weightScales.map((s) => Math.fround(Math.fround(inputScale) * s));
  const out = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const s = scales.length === 1 ? scales[0] : scales[i];
    out[i] = Math.max(-2147483647, Math.min(2147483647, Math.round(values[i] / s)));
  }
  return { values: out, scales };
}

/** IEEE 754 binary16 bits of a float32 (round to nearest even). */
export function toFloat16Bits(value: number): number {
  const f32 = new Float32Array(1);
  const u32 = new Uint32Array(f32.buffer);
  f32[0] = value;
  const x = u32[0];
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0); // inf / nan
  let e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00; // overflow → inf
  if (e <= 0) {
    if (e < -10) return sign; // underflow → ±0
    mant |= 0x800000;
    const shift = 14 - e;
    const half = 1 << (shift - 1);
    let m = mant >>> shift;
    const rest = mant & ((1 << shift) - 1);
    if (rest > half || (rest === half && (m & 1))) m++;
    return sign | m;
  }
  let m = mant >>> 13;
  const rest = mant & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && (m & 1))) {
    m++;
    if (m === 0x400) {
      m = 0;
      e++;
      if (e >= 0x1f) return sign | 0x7c00;
    }
  }
  return sign | (e << 10) | m;
}

export function toFloat16(values: Float32Array): Uint16Array {
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = toFloat16Bits(values[i]);
  return out;
}

/** float32 value of IEEE 754 binary16 bits. */
export function fromFloat16Bits(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant ? NaN : sign * Infinity;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}
