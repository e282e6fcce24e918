// The teacher the demo compresses: a small CNN trained here, on the train split of the same NPZ
// the demo uploads, then saved as a TF.js layers zip (model.json + weights.bin).
import { tf } from '../engine/backend/index.ts';
import type { IndexedDataset } from '../engine/data/index.ts';
import { evaluateModel } from '../engine/evaluate/index.ts';
import { exportTfjsLayersZip } from '../engine/export/index.ts';
import { fit } from '../engine/train/index.ts';
import type { TrainingProgress } from '../engine/train/types.ts';

export interface TrainedTeacher {
  zip: Uint8Array;
  parameterCount: number;
  testAccuracy: number;
  seconds: number;
}

/** A realistic MNIST CNN (Keras' mnist_convnet shape): conv32-pool-conv64-pool-dense128, ~225k
 * parameters, a ~0.9 MB float32 .tflite — the kind of model a team would bring. */
export function teacherCnn(seed: number): tf.LayersModel {
  const init = (k: number) => tf.initializers.heNormal({ seed: seed + k });
  return tf.sequential({
    name: 'digits_teacher',
    layers: [
      tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 32, kernelSize: 3, activation: 'relu', kernelInitializer: init(1) }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.conv2d({ filters: 64, kernelSize: 3, activation: 'relu', kernelInitializer: init(2) }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 128, activation: 'relu', kernelInitializer: init(3) }),
      tf.layers.dense({ units: 10, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 4 }) }),
    ],
  });
}

export async function trainTeacher(
  dataset: IndexedDataset,
  options: { epochs: number; batchSize?: number; seed: number; onProgress?: (p: TrainingProgress) => void },
): Promise<TrainedTeacher> {
  const started = performance.now();
  const model = teacherCnn(options.seed);
  try {
    await fit(model, dataset, {
      epochs: options.epochs,
      batchSize: options.batchSize ?? 32,
      optimizer: { name: 'adam', learningRate: 1e-3 },
      validationSplit: null,
      seed: options.seed,
      ...(options.onProgress ? { onProgress: options.onProgress, progressEvery: 10 } : {}),
    });
    const metrics = await evaluateModel(model, dataset, 'test');
    const zip = await exportTfjsLayersZip(model);
    return { zip, parameterCount: model.countParams(), testAccuracy: metrics.accuracy, seconds: (performance.now() - started) / 1000 };
  } finally {
    model.dispose();
  }
}
