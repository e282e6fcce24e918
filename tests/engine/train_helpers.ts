// Small deterministic data and models for the training tests.
import { tf } from '../../services/engine/backend/index.ts';
import { datasetFromArrays } from '../../services/engine/data/index.ts';

export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

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
