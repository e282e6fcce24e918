// The demo teacher itself — its architecture and training recipe (random shifts, learning-rate
// schedule, batch slices). The worker threads of teacher-worker.ts import it; the launcher
// (teacher.ts) does not, so starting the threads waits for no tfjs in the demo's own thread.
import { tf } from '../engine/backend/index.ts';
import { logProbabilities } from '../engine/train/losses.ts';

/**
 * A realistic MNIST CNN, all-convolutional (Springenberg et al. 2015, "Striving for Simplicity":
 * strided convolutions where max-pooling was) at the widths of Keras' mnist_convnet example:
 * conv32 5×5/2 → conv64 3×3/2 → dense128 → softmax, 225,546 parameters, a ~0.9 MB float32
 * .tflite — the size and kind of model a team would bring. Striding instead of pooling costs
 * 0.78 M multiply-adds a digit against mnist_convnet's 2.6 M (conv32-pool-conv64-pool-dense128,
 * 225,034 parameters), so it trains in a third of the time at the same accuracy here.
 */
export function teacherCnn(seed: number): tf.LayersModel {
  const init = (k: number) => tf.initializers.heNormal({ seed: seed + k });
  return tf.sequential({
    name: 'digits_teacher',
    layers: [
      tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 32, kernelSize: 5, strides: 2, activation: 'relu', kernelInitializer: init(1) }),
      tf.layers.conv2d({ filters: 64, kernelSize: 3, strides: 2, activation: 'relu', kernelInitializer: init(2) }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 128, activation: 'relu', kernelInitializer: init(3) }),
      tf.layers.dense({ units: 10, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 4 }) }),
    ],
  });
}

/** Random shifts of up to this many pixels each way: with only ~8,500 training digits, shifted
 * copies are what lifts a few epochs above 98 % (LeCun et al. 1998 distort MNIST the same way). */
const MAX_SHIFT = 2;

/** Each image of the batch moved by its own seeded random offset in [-MAX_SHIFT, MAX_SHIFT]², zeros shifted in. */
export function shiftImages(x: Float32Array, size: number, side: number, random: () => number): Float32Array {
  const out = new Float32Array(x.length);
  const pixels = side * side;
  for (let i = 0; i < size; i++) {
    const dy = Math.floor(random() * (2 * MAX_SHIFT + 1)) - MAX_SHIFT;
    const dx = Math.floor(random() * (2 * MAX_SHIFT + 1)) - MAX_SHIFT;
    const base = i * pixels;
    for (let y = 0; y < side; y++) {
      const sy = y - dy;
      if (sy < 0 || sy >= side) continue;
      for (let xx = 0; xx < side; xx++) {
        const sx = xx - dx;
        if (sx >= 0 && sx < side) out[base + y * side + xx] = x[base + sy * side + sx]!;
      }
    }
  }
  return out;
}

/** Share of the steps spent warming up. */
const WARM_UP = 0.1;

/**
 * The learning rate at step `step` of `total`: a linear warm-up to `peak` over the first tenth
 * of the steps (Goyal et al. 2017), then a half cosine down to 0 (Loshchilov & Hutter 2017).
 */
export function teacherLearningRate(peak: number, step: number, total: number): number {
  const warm = Math.max(1, Math.round(WARM_UP * total));
  if (step < warm) return (peak * (step + 1)) / warm;
  return peak * 0.5 * (1 + Math.cos(Math.PI * Math.min(1, (step - warm) / Math.max(1, total - warm))));
}

/** Label smoothing ε (Szegedy et al. 2016, "Rethinking the Inception Architecture"). */
export const LABEL_SMOOTHING = 0.1;

/**
 * The teacher's loss: cross-entropy of its softmax `output` against label-smoothed targets —
 * 1 − ε + ε/K on the label, ε/K on each other class (K = 10 digits) — averaged over the rows.
 */
export function teacherLoss(output: tf.Tensor, labels: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    const logp = logProbabilities(output, false);
    const classes = logp.shape[logp.rank - 1]!;
    const targets = tf.add(tf.mul(tf.oneHot(tf.cast(labels, 'int32'), classes), 1 - LABEL_SMOOTHING), LABEL_SMOOTHING / classes);
    return tf.neg(tf.mean(tf.sum(tf.mul(targets, logp), -1))) as tf.Scalar;
  });
}

/** Adam's constants (tf.train.adam's defaults; ε is the float32 backends' epsilon). */
export const ADAM = { beta1: 0.9, beta2: 0.999, epsilon: 1e-7 } as const;

/**
 * Adam (Kingma & Ba 2015) on parameters [from, to): the gradient is the sum of the workers'
 * slots, the moments are this worker's own, and the result is written into the shared weights.
 * Same update as tfjs's tf.train.adam (bias-corrected moments, ε outside the square root);
 * `step` counts from 1.
 */
export function adamShard(weights: Float32Array, slots: Float32Array[], m: Float32Array, v: Float32Array, from: number, learningRate: number, step: number): void {
  const { beta1, beta2, epsilon } = ADAM;
  const c1 = 1 - beta1 ** step;
  const c2 = 1 - beta2 ** step;
  for (let k = 0; k < m.length; k++) {
    const i = from + k;
    let g = 0;
    for (const slot of slots) g += slot[i]!; // rank order everywhere: identical sums
    const mk = beta1 * m[k]! + (1 - beta1) * g;
    const vk = beta2 * v[k]! + (1 - beta2) * g * g;
    m[k] = mk;
    v[k] = vk;
    weights[i] = weights[i]! - (learningRate * (mk / c1)) / (Math.sqrt(vk / c2) + epsilon);
  }
}

