// BatchMatMul / _FusedMatMul for wasm with transposeA/transposeB done as an explicit Transpose
// first: tfjs-backend-wasm 4.22 sends transposed products to a plain loop ~15× slower than
// its XNNPACK path (a 128×784 · 784×256 product: 80 ms vs 5 ms), and every Dense gradient
// is a transposed product. The shipped kernel still does the multiplication.
import * as tf from '@tensorflow/tfjs';
import { asTensor } from './tensor_args.ts';

function swapLastTwo(t: tf.Tensor): tf.Tensor {
  const perm = t.shape.map((_, i) => i);
  perm[t.rank - 2] = t.rank - 1;
  perm[t.rank - 1] = t.rank - 2;
  return tf.transpose(t, perm);
}

const size = (t: tf.TensorInfo): number => t.shape.reduce((p, d) => p * d, 1);

/**
 * XNNPACK packs B (as "weights", with a strided copy) on every call since B changes every
 * step; when B dwarfs A and the result (a filter gradient Pᵀ·dY), computing (Bᵀ·Aᵀ)ᵀ
 * packs the small operand instead — 2× faster for a first conv layer's filter gradient, and for
 * a Dense layer's input gradient dY·Wᵀ with a large W (the demo teacher's 1600×128: 0.75 ms
 * instead of 1.5 ms a batch of 32).
 */
function packsHugeB(a: tf.TensorInfo, b: tf.TensorInfo, transposeA: boolean, transposeB: boolean): boolean {
  if (a.shape.length !== 2 || b.shape.length !== 2) return false;
  const rows = transposeA ? a.shape[1] : a.shape[0];
  const cols = transposeB ? b.shape[0] : b.shape[1];
  return size(b) > 131072 && size(b) > 2 * (size(a) + rows * cols);
}

/** Wraps the shipped kernel (keeping its setup) so it only ever sees untransposed operands. */
export function untransposedMatMul(shipped: tf.KernelConfig, swapLargeB = false): tf.KernelConfig {
  const kernelFunc: tf.KernelFunc = ({ inputs, backend, attrs }) => {
    const { transposeA, transposeB } = (attrs ?? {}) as { transposeA?: boolean; transposeB?: boolean };
    if (swapLargeB && packsHugeB(inputs.a as tf.TensorInfo, inputs.b as tf.TensorInfo, !!transposeA, !!transposeB)) {
      return tf.tidy(() => tf.transpose(tf.matMul(asTensor(inputs.b), asTensor(inputs.a), !transposeB, !transposeA)));
    }
    if (!transposeA && !transposeB) return shipped.kernelFunc({ inputs, backend, attrs });
    const made: tf.Tensor[] = [];
    const operand = (name: 'a' | 'b', transpose: boolean | undefined): tf.TensorInfo => {
      if (!transpose) return inputs[name] as tf.TensorInfo;
      const t = tf.tidy(() => swapLastTwo(asTensor(inputs[name])));
      made.push(t);
      return t;
    };
    try {
      return shipped.kernelFunc({
        inputs: { ...inputs, a: operand('a', transposeA), b: operand('b', transposeB) },
        backend,
        attrs: { ...attrs, transposeA: false, transposeB: false },
      });
    } finally {
      tf.dispose(made);
    }
  };
  return { ...shipped, kernelFunc };
}
