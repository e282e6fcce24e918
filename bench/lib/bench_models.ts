// The two benchmark architectures, layer for layer the same as bench/torch_train.py.
import { tf } from '../../services/engine/backend/index.ts';

export type BenchModel = 'mlp' | 'cnn';

export function buildBenchModel(kind: BenchModel): tf.LayersModel {
  if (kind === 'mlp') {
    return tf.sequential({ layers: [
      tf.layers.dense({ inputShape: [784], units: 256, activation: 'relu' }),
      tf.layers.dense({ units: 128, activation: 'relu' }),
      tf.layers.dense({ units: 10 }),
    ] });
  }
  return tf.sequential({ layers: [
    tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 32, kernelSize: 3, activation: 'relu' }),
    tf.layers.maxPooling2d({ poolSize: 2 }),
    tf.layers.conv2d({ filters: 64, kernelSize: 3, activation: 'relu' }),
    tf.layers.maxPooling2d({ poolSize: 2 }),
    tf.layers.flatten(),
    tf.layers.dense({ units: 128, activation: 'relu' }),
    tf.layers.dense({ units: 10 }),
  ] });
}

export function inputShapeOf(kind: BenchModel): number[] {
  return kind === 'mlp' ? [784] : [28, 28, 1];
}
