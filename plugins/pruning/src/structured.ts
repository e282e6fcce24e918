// Structured pruning: whole conv filters / dense units, ranked by L1 norm (as in Li et al. 2017,
// "Pruning Filters for Efficient ConvNets", arXiv 1608.08710), are masked on the gradual
// schedule and then removed, giving a really narrower model.
import type { CandidateModel, LayersModel, PluginContext } from '@condense/plugin-sdk';
import { planChannels } from './channel-plan.ts';
import type { PruningConfig } from './config.ts';
import { pruneGradually } from './fine-tune.ts';
import { MaskSet, channelsToKeep, groupSparsity, setChannelMasks, strongestChannels } from './masks.ts';
import { countParams } from './measure.ts';
import { removeChannels } from './rebuild.ts';
import { recalibrateAfterPruning } from './recalibrate.ts';

/** Prunes `model` to sparsity `target` on the gradual schedule; with `kept` (channels per group of
 * the plan, e.g. a size search's) each group ends at its own count instead, reached on the same
 * schedule (at sparsity s of `target`, s / target of the group's channels to remove are gone). */
export async function pruneStructured(
  ctx: PluginContext, model: LayersModel, config: PruningConfig, target: number, name: string, kept?: number[],
): Promise<CandidateModel> {
  const { tf } = ctx;
  const plan = planChannels(model, config.layers, config.residual);
  const skippedNotes = plan.skipped.map((s) => `'${s.layer}' left untouched: ${s.reason}.`);
  if (plan.groups.length === 0) {
    throw new Error(`no layer can be pruned structurally (${skippedNotes.join(' ') || 'no Dense/Conv layers'})`);
  }
  let keep: number[][] = plan.groups.map((g) => Array.from({ length: g.channels }, (_, i) => i));
  const masks = new MaskSet(tf);
  try {
    await pruneGradually(ctx, {
      model,
      masks,
      updateMasks: (sparsity) => {
        keep = plan.groups.map((group, i) => (kept
          ? strongestChannels(tf, group, group.channels - Math.round((target > 0 ? Math.min(1, sparsity / target) : 1) * (group.channels - kept[i]!)))
          : channelsToKeep(tf, group, groupSparsity(group, sparsity, config.residualShare))));
        plan.groups.forEach((group, i) => setChannelMasks(tf, masks, group, keep[i]));
      },
    }, config, target, name);
  } finally {
    masks.dispose();
  }
  const narrow = await removeChannels(tf, model, plan.groups, keep);
  const recalibrated = await recalibrateAfterPruning(ctx, narrow, config);
  const channelsBefore = plan.groups.reduce((n, g) => n + g.channels * g.producers.length, 0);
  const channelsAfter = keep.reduce((n, k, i) => n + k.length * plan.groups[i].producers.length, 0);
  const paramsBefore = countParams(model);
  const params = countParams(narrow);
  model.dispose();
  const widths = plan.groups.map((g, i) => `${g.producers.map((p) => p.name).join('+')} ${g.channels}→${keep[i].length}`).join(', ');
  return {
    name,
    model: narrow,
    notes: [`Structured pruning removed ${channelsBefore - channelsAfter} of ${channelsBefore} channels (${widths}); `
      + `${params} of ${paramsBefore} parameters remain.`,
      ...(recalibrated > 0 ? [`Batch-norm statistics of ${recalibrated} layer(s) recomputed over ${config.recalibrationBatches} clean training batches.`] : []),
      ...skippedNotes].join(' '),
    metrics: {
      targetSparsity: target,
      sparsity: (channelsBefore - channelsAfter) / channelsBefore,
      channelsBefore,
      channelsAfter,
      params,
      paramsBefore,
      paramReduction: 1 - params / paramsBefore,
      recalibratedBatchNorms: recalibrated,
    },
  };
}
