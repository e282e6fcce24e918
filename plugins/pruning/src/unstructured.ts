// Unstructured magnitude pruning: every prunable kernel gets its own mask at the scheduled
// sparsity (layer-wise, as in Zhu & Gupta), so each layer ends at the target.
import { weightRole, type CandidateModel, type Layer, type LayersModel, type LayerVariable, type PluginContext } from '@condense/plugin-sdk';
import type { PruningConfig } from './config.ts';
import { pruneGradually } from './fine-tune.ts';
import { MaskSet, magnitudeMask } from './masks.ts';
import { countNonZeroParams, countParams, countZeros } from './measure.ts';
import { recalibrateAfterPruning } from './recalibrate.ts';

const PRUNABLE = new Set(['Dense', 'Conv1D', 'Conv2D', 'DepthwiseConv2D', 'SeparableConv2D']);
const KERNEL_ROLES = new Set(['kernel', 'depthwise_kernel', 'pointwise_kernel']);

/** The kernels to prune, and notes about requested layers that have none. */
export function prunableKernels(model: LayersModel, only: string[]): { kernels: LayerVariable[]; notes: string[] } {
  const notes: string[] = [];
  const layers: Layer[] = only.length > 0 ? only.map((name) => model.getLayer(name)) : model.layers;
  const kernels: LayerVariable[] = [];
  for (const layer of layers) {
    if (!PRUNABLE.has(layer.getClassName())) {
      if (only.length > 0) notes.push(`${layer.getClassName()} '${layer.name}' has no kernel to prune; left untouched`);
      continue;
    }
    kernels.push(...layer.weights.filter((w) => KERNEL_ROLES.has(weightRole(w))));
  }
  return { kernels, notes };
}

export async function pruneUnstructured(
  ctx: PluginContext, model: LayersModel, config: PruningConfig, target: number, name: string,
): Promise<CandidateModel> {
  const { tf } = ctx;
  const { kernels, notes } = prunableKernels(model, config.layers);
  if (kernels.length === 0) throw new Error('the model has no Dense or convolution kernels to prune');
  const masks = new MaskSet(tf);
  const paramsBefore = countParams(model);
  try {
    await pruneGradually(ctx, {
      model,
      masks,
      updateMasks: (sparsity) => {
        for (const kernel of kernels) masks.set(kernel, magnitudeMask(tf, kernel.read(), sparsity));
      },
    }, config, target, name);
  } finally {
    masks.dispose();
  }
  const recalibrated = await recalibrateAfterPruning(ctx, model, config);
  const { zeros, total } = countZeros(tf, kernels);
  const nonZero = countNonZeroParams(tf, model);
  return {
    name,
    model,
    notes: [
      `Unstructured magnitude pruning of ${kernels.length} kernels to ${(100 * zeros / total).toFixed(1)}% zeros`
        + ` (${nonZero} of ${paramsBefore} parameters non-zero); the file shrinks when compressed, not as stored.`,
      ...(recalibrated > 0 ? [`Batch-norm statistics of ${recalibrated} layer(s) recomputed over ${config.recalibrationBatches} clean training batches.`] : []),
      ...notes,
    ].join(' '),
    metrics: {
      targetSparsity: target,
      sparsity: zeros / total,
      params: countParams(model),
      paramsBefore,
      nonZeroParams: nonZero,
      prunedWeights: zeros,
      recalibratedBatchNorms: recalibrated,
    },
  };
}
