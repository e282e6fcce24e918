// The Fashion-MNIST teacher of bench:compression and bench:students: the conv32-pool-conv64-pool-
// dense640 CNN (~1.05M parameters, no batch norm), seeded so that every bench builds the same net.
import { tf } from '../../services/engine/backend/index.ts';

export function fashionTeacher(): tf.LayersModel {
  const he = (seed: number) => tf.initializers.heNormal({ seed });
  return tf.sequential({
    name: 'fashion_teacher',
    layers: [
      tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 32, kernelSize: 3, activation: 'relu', kernelInitializer: he(1) }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.conv2d({ filters: 64, kernelSize: 3, activation: 'relu', kernelInitializer: he(2) }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 640, activation: 'relu', kernelInitializer: he(3) }),
      tf.layers.dense({ units: 10, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 4 }) }),
    ],
  });
}
