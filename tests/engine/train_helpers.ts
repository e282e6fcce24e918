// Small deterministic data and models for the training tests.
import { tf } from '../../services/engine/backend/index.ts';
import { datasetFromArrays } from '../../services/engine/data/index.ts';

import { mulberry32 as rng } from '../../services/engine/random.ts';

export { rng };

/** `n` samples of `classes` noisy clusters in `dim` dimensions: learnable, but not in one step. */
export function clusters(n: number, dim: number, classes: number, seed = 1) {
  const r = rng(seed);
  const centers = Array.from({ length: classes }, () => Array.from({ length: dim }, () => r() * 2 - 1));
  const x = new Float32Array(n * dim);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = i % classes;
    for (let d = 0; d < dim; d++) x[i * dim + d] = centers[y[i]][d] + (r() - 0.5) * 1.2;
  }
  return datasetFromArrays(x, y, [dim], { seed: 3 });
}

/** A small MLP with deterministic initial weights (seeded initializers). */
export function mlp(dim: number, classes: number, softmax = false): tf.LayersModel {
  return tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [dim], units: 16, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }),
      tf.layers.dense({ units: classes, activation: softmax ? 'softmax' : 'linear', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
    ],
  });
}
