// Image augmentation for distillation, on the host's batches before they reach a tensor:
// - random crop with zero padding and horizontal flip, the CIFAR recipe of He et al. 2016
//   ("Deep Residual Learning", arXiv 1512.03385, §4.2);
// - small random rotations and scalings (an affine distortion of the kind LeCun et al. 1998 and
//   Simard et al. 2003 train MNIST with), sampled bilinearly, when `rotation` or `scale` is set;
// - mixup (Zhang et al. 2018, arXiv 1710.09412): a batch blended with a shuffled copy of itself.
//   The teacher labels the blended images itself, so the students learn from teacher soft labels
//   on augmented data rather than from mixed one-hot labels.
// Everything is drawn from a seeded generator: the same seed gives the same batches.
import { seededRandom } from '@condense/plugin-sdk';

export interface AugmentOptions {
  /** Zero padding (pixels) on every side before a random crop back to the original size; 0 = none. */
  cropPadding: number;
  /** Mirror each image left-right with probability 1/2. */
  flip: boolean;
  /** Probability that a batch is mixed up (0 = never). */
  mixup: number;
  /** Largest random rotation about the image centre, in degrees (0 or absent = none). */
  rotation?: number;
  /** Largest relative random scaling (0.1: a factor in [0.9, 1.1]; 0 or absent = none). */
  scale?: number;
}

export interface AugmentedBatch {
  x: Float32Array;
  /** The mixup weight λ of the original images when the batch was mixed, else undefined. */
  mixed?: number;
}

/** The seeded generator of one batch: independent of batch order within an epoch's seed. */
export function batchRandom(seed: number, globalStep: number): () => number {
  return seededRandom((Math.imul(seed + 1, 0x9e3779b1) ^ Math.imul(globalStep + 1, 0x85ebca6b)) >>> 0);
}

/**
 * Augments `size` images laid out [size, h, w, c] in `x` (row-major, as host batches are) and
 * returns a new array; `x` is not modified.
 */
export function augmentImages(x: Float32Array, size: number, shape: readonly number[], options: AugmentOptions, random: () => number): AugmentedBatch {
  const [h, w, c] = shape;
  const per = h * w * c;
  if (x.length !== size * per) throw new Error(`augmentImages: ${x.length} values are not ${size} images of [${shape.join(', ')}]`);
  const out = new Float32Array(x.length);
  const pad = Math.max(0, Math.floor(options.cropPadding));
  const rotation = Math.max(0, options.rotation ?? 0) * (Math.PI / 180);
  const scaling = Math.max(0, options.scale ?? 0);
  const affine = rotation > 0 || scaling > 0;
  for (let n = 0; n < size && affine; n++) {
    // The shift as for crops, then a rotation by θ and a scaling by s about the centre: output
    // pixel (y, x) reads the input at centre + R(−θ)·((y, x) − centre)/s + shift, bilinearly.
    const dy = pad > 0 ? Math.floor(random() * (2 * pad + 1)) - pad : 0;
    const dx = pad > 0 ? Math.floor(random() * (2 * pad + 1)) - pad : 0;
    const mirror = options.flip && random() < 0.5;
    const theta = (2 * random() - 1) * rotation;
    const s = 1 + (2 * random() - 1) * scaling;
    const cos = Math.cos(theta) / s;
    const sin = Math.sin(theta) / s;
    const cy = (h - 1) / 2;
    const cx = (w - 1) / 2;
    const base = n * per;
    for (let y = 0; y < h; y++) {
      for (let xx = 0; xx < w; xx++) {
        const sy = cy + (-sin * (xx - cx) + cos * (y - cy)) + dy;
        const sxRaw = cx + (cos * (xx - cx) + sin * (y - cy)) + dx;
        const sx = mirror ? w - 1 - sxRaw : sxRaw;
        const y0 = Math.floor(sy);
        const x0 = Math.floor(sx);
        const fy = sy - y0;
        const fx = sx - x0;
        const dst = base + (y * w + xx) * c;
        for (let k = 0; k < c; k++) {
          const at = (yy: number, xk: number) => (yy < 0 || yy >= h || xk < 0 || xk >= w ? 0 : x[base + (yy * w + xk) * c + k]);
          out[dst + k] = (1 - fy) * ((1 - fx) * at(y0, x0) + fx * at(y0, x0 + 1)) + fy * ((1 - fx) * at(y0 + 1, x0) + fx * at(y0 + 1, x0 + 1));
        }
      }
    }
  }
  for (let n = 0; n < size && !affine; n++) {
    // Offset of the crop inside the padded image, minus the padding: the shift of the content.
    const dy = pad > 0 ? Math.floor(random() * (2 * pad + 1)) - pad : 0;
    const dx = pad > 0 ? Math.floor(random() * (2 * pad + 1)) - pad : 0;
    const mirror = options.flip && random() < 0.5;
    const base = n * per;
    for (let y = 0; y < h; y++) {
      const sy = y + dy;
      if (sy < 0 || sy >= h) continue; // padding: stays 0
      for (let xx = 0; xx < w; xx++) {
        const sxRaw = xx + dx;
        if (sxRaw < 0 || sxRaw >= w) continue;
        const sx = mirror ? w - 1 - sxRaw : sxRaw;
        const src = base + (sy * w + sx) * c;
        const dst = base + (y * w + xx) * c;
        for (let k = 0; k < c; k++) out[dst + k] = x[src + k];
      }
    }
  }
  if (options.mixup > 0 && size > 1 && random() < options.mixup) {
    // λ ~ Beta(1, 1) = U(0, 1), the setting CutMix and mixup use for images; the partner of
    // each image is a seeded permutation of the batch.
    const lambda = random();
    const order = Array.from({ length: size }, (_, i) => i);
    for (let i = size - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    const mixed = new Float32Array(out.length);
    for (let n = 0; n < size; n++) {
      const a = n * per;
      const b = order[n] * per;
      for (let k = 0; k < per; k++) mixed[a + k] = lambda * out[a + k] + (1 - lambda) * out[b + k];
    }
    return { x: mixed, mixed: lambda };
  }
  return { x: out };
}
