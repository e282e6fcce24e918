// A tiny, real classification problem for end-to-end runs that take seconds: 4 well-separated
// Gaussian classes in 16 dimensions (.npz) and a small MLP trained on them for a few epochs,
// saved as a TF.js layers zip. Deterministic (seeded) so two runs see identical inputs.
import { initEngine, tf } from '../../services/engine/backend/index.ts';
import { exportTfjsLayersZip } from '../../services/engine/export/index.ts';
import { writeNpy, writeNpz } from '../helpers/fixtures-data.ts';

const FEATURES = 16;
const CLASSES = 4;

function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

export function tinyData(samples = 400, seed = 3): { x: Float32Array; y: Int32Array } {
  const rand = rng(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(rand() + 1e-12)) * Math.cos(2 * Math.PI * rand());
  const x = new Float32Array(samples * FEATURES);
  const y = new Int32Array(samples);
  for (let i = 0; i < samples; i++) {
    const label = i % CLASSES;
    y[i] = label;
    for (let f = 0; f < FEATURES; f++) x[i * FEATURES + f] = (f % CLASSES === label ? 1.5 : 0) + 0.5 * gauss();
  }
  return { x, y };
}

export function tinyDatasetNpz(samples = 400): Uint8Array {
  const { x, y } = tinyData(samples);
  return writeNpz({ x: writeNpy('<f4', [samples, FEATURES], x), y: writeNpy('<i4', [samples], y) });
}

export async function tinyModelZip(): Promise<Uint8Array> {
  await initEngine();
  const { x, y } = tinyData(400);
  const model = tf.sequential({
    name: 'tiny_mlp',
    layers: [
      tf.layers.dense({ inputShape: [FEATURES], units: 32, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }),
      tf.layers.dense({ units: CLASSES, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
    ],
  });
  model.compile({ optimizer: tf.train.adam(0.01), loss: 'sparseCategoricalCrossentropy' });
  const xs = tf.tensor2d(x, [400, FEATURES]);
  const ys = tf.tensor1d(y, 'float32');
  await model.fit(xs, ys, { epochs: 5, batchSize: 32, shuffle: false, verbose: 0 });
  xs.dispose();
  ys.dispose();
  const zip = await exportTfjsLayersZip(model);
  model.dispose();
  return zip;
}
