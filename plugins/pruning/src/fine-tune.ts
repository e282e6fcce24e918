// Pruning while fine-tuning: the masks follow the gradual schedule and are re-applied after
// every optimizer step of the host's training loop.
import { fineTune, type LayersModel, type PluginContext } from '@condense/plugin-sdk';
import type { PruningConfig } from './config.ts';
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
  let step = 0;
  let current = 0;
  await fineTune(ctx, model, {
    epochs: config.epochs,
    batchSize: config.batchSize,
    learningRate: config.learningRate,
    samplesPerEpoch: config.samplesPerEpoch,
    seed: config.seed,
    candidate,
    beforeStep: () => {
      if (!isPruningStep(schedule, step)) return;
      current = sparsityAt(schedule, step);
      session.updateMasks(current);
      masks.apply();
    },
    afterStep: () => {
      masks.apply();
      step += 1;
      return { sparsity: current };
    },
  });
  finish();
  return { steps: step };
}
