// Image augmentation for distillation, on the host's batches before they reach a tensor:
// - random crop with zero padding and horizontal flip, the CIFAR recipe of He et al. 2016
//   ("Deep Residual Learning", arXiv 1512.03385, §4.2);
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
  for (let n = 0; n < size; n++) {
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
