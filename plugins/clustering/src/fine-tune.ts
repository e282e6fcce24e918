// Fine-tuning after clustering. 'centroids': Han et al.'s shared-weight training — each
// centroid moves by the sum of the gradients of the weights assigned to it, so the kernel keeps
// at most k distinct values throughout. 'retrain-and-snap': ordinary training followed by
// re-clustering (warm-started from the old centroids) and snapping.
import { fineTune, type LayersModel, type PluginContext, type Tensor } from '@condense/plugin-sdk';
import { clusterKernel, snap, type ClusteredKernel } from './clustered-kernel.ts';

export interface FineTuneOptions {
  epochs: number;
  batchSize: number;
  learningRate: number;
  samplesPerEpoch: number;
  seed: number;
  maxIterations: number;
  candidate: string;
}

let centroidCounter = 0;

function loopOptions(options: FineTuneOptions) {
  const { epochs, batchSize, learningRate, samplesPerEpoch, seed, candidate } = options;
  return { epochs, batchSize, learningRate, samplesPerEpoch, seed, candidate };
}

export async function fineTuneCentroids(ctx: PluginContext, model: LayersModel, kernels: ClusteredKernel[], options: FineTuneOptions): Promise<void> {
  const { tf } = ctx;
  const byName = new Map(kernels.map((k) => [k.variable.name, k]));
  // tf.variable keeps its initial value's data, not the tensor handle: dispose that at once.
  const centroidVars = new Map(kernels.map((k) => {
    const initial = tf.tensor1d(Float32Array.from(k.centroids));
    const centroids = tf.variable(initial, true, `centroids_${centroidCounter++}`);
    initial.dispose();
    return [k.variable.name, centroids];
  }));
  try {
    await fineTune(ctx, model, {
      ...loopOptions(options),
      phase: 'centroid fine-tuning',
      mapGradients: (grads) => {
        const updates: Record<string, Tensor> = {};
        for (const [name, grad] of Object.entries(grads)) {
          const kernel = byName.get(name);
          if (!kernel) {
            updates[name] = grad;
            continue;
          }
          // Gradient of a shared weight = sum of the gradients of the entries that share it.
          const g = grad.dataSync();
          const sums = new Float32Array(kernel.centroids.length);
          for (let i = 0; i < g.length; i++) sums[kernel.assignment[i]] += g[i];
          updates[centroidVars.get(name)!.name] = tf.tensor1d(sums);
        }
        return updates;
      },
      afterStep: () => {
        for (const kernel of kernels) {
          kernel.centroids = Float64Array.from(centroidVars.get(kernel.variable.name)!.dataSync());
          snap(tf, kernel);
        }
      },
    });
  } finally {
    for (const v of centroidVars.values()) v.dispose();
  }
}

export async function retrainAndSnap(ctx: PluginContext, model: LayersModel, kernels: ClusteredKernel[], options: FineTuneOptions): Promise<ClusteredKernel[]> {
  await fineTune(ctx, model, { ...loopOptions(options), phase: 'fine-tuning' });
  return kernels.map((k) => clusterKernel(ctx.tf, k.layer, k.variable, k.centroids.length, {
    init: Array.from(k.centroids), maxIterations: options.maxIterations, seed: options.seed,
  }));
}
