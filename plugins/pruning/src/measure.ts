// What the plugin reports about a pruned model: parameter counts and measured sparsity.
import type { LayersModel, LayerVariable, Tf } from '@condense/plugin-sdk';

export function countParams(model: LayersModel): number {
  return model.weights.reduce((n, w) => n + w.shape.reduce((a: number, d) => a * (d ?? 1), 1), 0);
}

/** Number of entries of `variables` that are exactly zero. */
export function countZeros(tf: Tf, variables: LayerVariable[]): { zeros: number; total: number } {
  let zeros = 0;
  let total = 0;
  for (const v of variables) {
    const value = v.read();
    zeros += tf.tidy(() => tf.sum(tf.cast(tf.equal(value, 0), 'int32')).dataSync()[0]);
    total += value.size;
  }
  return { zeros, total };
}

/** Non-zero entries over all weights of the model. */
export function countNonZeroParams(tf: Tf, model: LayersModel): number {
  const { zeros, total } = countZeros(tf, model.weights);
  return total - zeros;
}
