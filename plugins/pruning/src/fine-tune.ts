// Pruning while fine-tuning: the masks follow the gradual schedule and are re-applied after
// every optimizer step of the host's training loop.
import type { LayersModel, PluginContext, Tensor } from '@condense/plugin-sdk';
import type { PruningConfig } from './config.ts';
import { lossFor } from './loss.ts';
import type { MaskSet } from './masks.ts';
import { isPruningStep, sparsityAt, type SparsitySchedule } from './schedule.ts';

export interface PruneSession {
  model: LayersModel;
  masks: MaskSet;
  /** Recomputes the masks for `sparsity` from the current weights. */
  updateMasks(sparsity: number): void;
}

export async function pruneGradually(
  ctx: PluginContext, session: PruneSession, config: PruningConfig, target: number, candidate: string,
): Promise<{ steps: number }> {
  const { tf } = ctx;
  const { model, masks } = session;
  const finish = () => {
    session.updateMasks(target);
    masks.apply();
  };
  if (config.epochs === 0) {
    finish();
    return { steps: 0 };
  }
  const samples = config.samplesPerEpoch > 0 ? Math.min(config.samplesPerEpoch, ctx.data.info.splits.train) : ctx.data.info.splits.train;
  const stepsPerEpoch = Math.max(1, Math.ceil(samples / config.batchSize));
  const schedule: SparsitySchedule = {
    initialSparsity: Math.min(config.initialSparsity, target),
    finalSparsity: target,
    beginStep: config.beginStep >= 0 ? config.beginStep : Math.round(config.beginEpoch * stepsPerEpoch),
    endStep: config.endStep >= 0 ? config.endStep : Math.round(Math.min(config.endEpoch, config.epochs) * stepsPerEpoch),
    frequency: config.frequency,
  };
  const loss = lossFor(ctx, model);
  const variables = model.trainableWeights.map((w) => w.read() as never);
  const optimizer = tf.train.adam(config.learningRate);
  let step = 0;
  let current = 0;
  try {
    await ctx.train.runTrainingLoop({
      epochs: config.epochs,
      batchSize: config.batchSize,
      limit: config.samplesPerEpoch > 0 ? config.samplesPerEpoch : undefined,
      seed: config.seed,
      candidate,
      step: ({ xs, ys }) => {
        if (isPruningStep(schedule, step)) {
          current = sparsityAt(schedule, step);
          session.updateMasks(current);
          masks.apply();
        }
        const value = optimizer.minimize(() => loss(model.apply(xs, { training: true }) as Tensor, ys) as never, true, variables);
        masks.apply();
        step += 1;
        // A scalar tensor: the loop sums it on the device and reads it back only to report.
        const result: Record<string, number | Tensor> = { sparsity: current };
        if (value) result.loss = value;
        return result;
      },
    });
  } finally {
    optimizer.dispose();
  }
  finish();
  return { steps: step };
}
