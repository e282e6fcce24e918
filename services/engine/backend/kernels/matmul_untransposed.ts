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

/** Wraps the shipped kernel (keeping its setup) so it only ever sees untransposed operands. */
export function untransposedMatMul(shipped: tf.KernelConfig): tf.KernelConfig {
  const kernelFunc: tf.KernelFunc = ({ inputs, backend, attrs }) => {
    const { transposeA, transposeB } = (attrs ?? {}) as { transposeA?: boolean; transposeB?: boolean };
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
