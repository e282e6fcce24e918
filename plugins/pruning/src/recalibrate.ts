// Batch-norm statistics after pruning: the moving averages a pruned model carries were gathered
// while its channels were being cut (or not at all, in one shot), so they describe neither the
// final weights nor clean inputs. The SDK's recalibration (Yu & Huang 2019's BN calibration)
// recomputes them over a few clean training batches before the candidate is handed on.
import { batchNormLayers, recalibrateBatchNorm, type LayersModel, type PluginContext } from '@condense/plugin-sdk';
import type { PruningConfig } from './config.ts';

/** Recalibrates `model`'s batch norm when it has any and the data are tensors; returns the layer count. */
export async function recalibrateAfterPruning(ctx: PluginContext, model: LayersModel, config: PruningConfig): Promise<number> {
  if (config.recalibrationBatches <= 0 || ctx.data.info.kind !== 'tensor' || batchNormLayers(model).length === 0) return 0;
  return recalibrateBatchNorm(ctx, model, { batches: config.recalibrationBatches, batchSize: Math.max(32, config.batchSize), seed: config.seed });
}
