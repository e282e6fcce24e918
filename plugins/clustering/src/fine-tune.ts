// Fine-tuning after clustering. 'centroids': Han et al.'s shared-weight training — each
// centroid moves by the sum of the gradients of the weights assigned to it, so the kernel keeps
// at most k distinct values throughout. 'retrain-and-snap': ordinary training followed by
// re-clustering (warm-started from the old centroids) and snapping.
import type { LayersModel, PluginContext, Tensor } from '@condense/plugin-sdk';
import { clusterKernel, snap, type ClusteredKernel } from './clustered-kernel.ts';
import { lossFor } from './loss.ts';

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

export async function fineTuneCentroids(ctx: PluginContext, model: LayersModel, kernels: ClusteredKernel[], options: FineTuneOptions): Promise<void> {
  const { tf } = ctx;
  const loss = lossFor(ctx, model);
  const byName = new Map(kernels.map((k) => [k.variable.name, k]));
  const centroidVars = new Map(kernels.map((k) => [k.variable.name, tf.variable(tf.tensor1d(Float32Array.from(k.centroids)), true, `centroids_${centroidCounter++}`)]));
  const trainable = model.trainableWeights.map((w) => w.read());
  const optimizer = ctx.train.createOptimizer({ name: 'adam', learningRate: options.learningRate });
  try {
    await ctx.train.runTrainingLoop({
      epochs: options.epochs,
      batchSize: options.batchSize,
      limit: options.samplesPerEpoch > 0 ? options.samplesPerEpoch : undefined,
      seed: options.seed,
      candidate: options.candidate,
      phase: 'centroid fine-tuning',
      step: ({ xs, ys }) => {
        const { value, grads } = tf.variableGrads(() => loss(model.apply(xs, { training: true }) as Tensor, ys) as never, trainable as never);
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
        optimizer.applyGradients(updates as never);
        for (const kernel of kernels) {
          kernel.centroids = Float64Array.from(centroidVars.get(kernel.variable.name)!.dataSync());
          snap(tf, kernel);
        }
        tf.dispose([...Object.values(grads), ...Object.values(updates)]);
        return { loss: value };
      },
    });
  } finally {
    optimizer.dispose();
    for (const v of centroidVars.values()) v.dispose();
  }
}

export async function retrainAndSnap(ctx: PluginContext, model: LayersModel, kernels: ClusteredKernel[], options: FineTuneOptions): Promise<ClusteredKernel[]> {
  const loss = lossFor(ctx, model);
  const optimizer = ctx.train.createOptimizer({ name: 'adam', learningRate: options.learningRate });
  try {
    await ctx.train.runTrainingLoop({
      epochs: options.epochs,
      batchSize: options.batchSize,
      limit: options.samplesPerEpoch > 0 ? options.samplesPerEpoch : undefined,
      seed: options.seed,
      candidate: options.candidate,
      phase: 'fine-tuning',
      step: ({ xs, ys }) => {
        const value = optimizer.minimize(() => loss(model.apply(xs, { training: true }) as Tensor, ys) as never, true);
        const result: Record<string, Tensor> = {};
        if (value) result.loss = value;
        return result;
      },
    });
  } finally {
    optimizer.dispose();
  }
  return kernels.map((k) => clusterKernel(ctx.tf, k.layer, k.variable, k.centroids.length, {
    init: Array.from(k.centroids), maxIterations: options.maxIterations, seed: options.seed,
  }));
}
