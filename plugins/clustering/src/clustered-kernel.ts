// A kernel whose weights are shared: each entry points at one of k centroids.
import { weightRole, type LayersModel, type LayerVariable, type Tf } from '@condense/plugin-sdk';
import { kmeans1d, type KMeansInit } from './kmeans.ts';

const CLUSTERABLE = new Set(['Dense', 'Conv1D', 'Conv2D', 'DepthwiseConv2D', 'SeparableConv2D']);
const KERNEL_ROLES = new Set(['kernel', 'depthwise_kernel', 'pointwise_kernel']);

export interface ClusteredKernel {
  layer: string;
  variable: LayerVariable;
  centroids: Float64Array;
  assignment: Uint16Array;
}

/** The kernels to cluster (all Dense/Conv kernels, or those of the named layers), with notes. */
export function clusterableKernels(model: LayersModel, only: string[]): { kernels: Array<{ layer: string; variable: LayerVariable }>; notes: string[] } {
  const notes: string[] = [];
  const kernels: Array<{ layer: string; variable: LayerVariable }> = [];
  for (const layer of model.layers) {
    if (only.length > 0 && !only.includes(layer.name)) continue;
    if (!CLUSTERABLE.has(layer.getClassName())) {
      if (only.length > 0) notes.push(`${layer.getClassName()} '${layer.name}' has no kernel to cluster; left untouched.`);
      continue;
    }
    for (const variable of layer.weights) if (KERNEL_ROLES.has(weightRole(variable))) kernels.push({ layer: layer.name, variable });
  }
  return { kernels, notes };
}

/** Clusters the kernel's current values into at most k centroids (warm-started when given). */
export function clusterKernel(
  tf: Tf, layer: string, variable: LayerVariable, k: number,
  options: { init: KMeansInit | number[]; maxIterations: number; seed: number },
): ClusteredKernel {
  const values = variable.read().dataSync() as Float32Array;
  const { centroids, assignment } = kmeans1d(values, Math.min(k, values.length), options);
  const kernel: ClusteredKernel = { layer, variable, centroids, assignment };
  snap(tf, kernel);
  return kernel;
}

/** Writes centroid[assignment[i]] into every entry of the kernel. */
export function snap(tf: Tf, kernel: ClusteredKernel): void {
  const { variable, centroids, assignment } = kernel;
  const values = new Float32Array(assignment.length);
  for (let i = 0; i < values.length; i++) values[i] = centroids[assignment[i]];
  const tensor = tf.tensor(values, variable.shape as number[]);
  variable.write(tensor);
  tensor.dispose();
}
