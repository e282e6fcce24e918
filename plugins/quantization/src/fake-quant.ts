// Fake quantization: float → int8 → float in the forward pass, with the straight-through
// estimator for gradients (Jacob et al. 2018, "Quantization and Training of Neural Networks for
// Efficient Integer-Arithmetic-Only Inference", arXiv 1712.05877). The arithmetic follows what
// the TFLite export does: weights symmetric in [-127, 127] (per channel for convolutions),
// activations asymmetric per tensor over [min, max] ∪ {0}.
import type { Tensor, Tf } from '@condense/plugin-sdk';

export interface Range {
  min: number;
  max: number;
}

export interface AffineParams {
  scale: number;
  zeroPoint: number;
}

/** Asymmetric int8 parameters covering the range and zero. */
export function activationParams(range: Range): AffineParams {
  const min = Math.min(0, range.min);
  let max = Math.max(0, range.max);
  if (max - min < 1e-8) max = min + 1e-8;
  const scale = (max - min) / 255;
  const zeroPoint = Math.max(-128, Math.min(127, Math.round(-128 - min / scale)));
  return { scale, zeroPoint };
}


/** Activation fake quantization; the gradient passes where the input lies inside the range. */
export function fakeQuantActivation(tf: Tf, x: Tensor, p: AffineParams): Tensor {
  const lo = (-128 - p.zeroPoint) * p.scale;
  const hi = (127 - p.zeroPoint) * p.scale;
  const op = tf.customGrad(((t: Tensor, save: (tensors: Tensor[]) => void) => {
    save([t]);
    const q = tf.clipByValue(tf.add(tf.round(tf.div(t, p.scale)), p.zeroPoint), -128, 127);
    return {
      value: tf.mul(tf.sub(q, p.zeroPoint), p.scale),
      gradFunc: (dy: Tensor, saved: Tensor[]) => {
        const inside = tf.logicalAnd(tf.greaterEqual(saved[0], lo), tf.lessEqual(saved[0], hi));
        return tf.mul(dy, tf.cast(inside, 'float32'));
      },
    };
  }) as never) as unknown as (input: Tensor) => Tensor;
  return op(x);
}

/**
 * Symmetric weight quantization with one scale per channel: `channels` trailing values of the
 * row-major kernel form one channel each (1 = one scale for the whole tensor).
 */
export function fakeQuantWeights(tf: Tf, kernel: Tensor, channels: number): Tensor {
  return tf.tidy(() => {
    const rows = tf.reshape(kernel, [-1, channels]);
    const maxAbs = tf.max(tf.abs(rows), 0);
    const scale = tf.div(tf.maximum(maxAbs, 1e-8), 127);
    const q = tf.clipByValue(tf.round(tf.div(rows, scale)), -127, 127);
    return tf.reshape(tf.mul(q, scale), kernel.shape);
  });
}
