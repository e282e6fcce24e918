// Structured pruning to a file size: the least channel sparsity (the same fraction of every
// group's channels) whose narrowed model, exported by the host as users get it, fits a byte
// budget — a fraction of the model's own file (`targetSize`) or a number of bytes
// (`targetBytes`). Sizes depend only on how many channels each group keeps, so the search
// narrows untrained copies of the model and bisects on the sparsity.
//
// The host's files carry the TFLite metadata and labels the run writes (ctx.export.evaluate's
// `bytes`, SDK ≥ 1.7.0), so the budget holds for the file users download. A fraction is of the
// model alone (its file less that metadata): the pruned file, metadata included, then fits that
// fraction of any file the run writes for the model, whatever its candidate's metadata says.
import type { LayersModel, PluginContext } from '@condense/plugin-sdk';
import type { ChannelPlan } from './channel-plan.ts';
import type { PruningConfig } from './config.ts';
import { groupSparsity, keptChannels, strongestChannels } from './masks.ts';
import { removeChannels } from './rebuild.ts';

/** What the file must fit: a fraction of the model's own file, or a number of bytes. */
export type SizeBudget = { fraction: number } | { bytes: number };

export interface SizeTarget {
  /** The least sparsity found whose file fits (0.99 when none does). */
  sparsity: number;
  /** Channels each group keeps: the sparsity's, then given back while the file still fits. */
  kept: number[];
  /** Channels given back after the bisection. */
  givenBack: number;
  /** The narrowed model's file at that sparsity, metadata included, bytes. */
  bytes: number;
  /** The model's own file, metadata included, bytes. */
  baseBytes: number;
  /** Bytes of each file that are the run's metadata and labels (0 outside a run). */
  metadataBytes: number;
  /** The budget the file had to fit, bytes. */
  limit: number;
  fits: boolean;
}

const BISECTIONS = 8;
/** Exports spent giving channels back after the bisection. */
const FILL_TRIES = 12;

/** File bytes of `model` in `quantization`, by the host's exporter (one sample evaluated). */
async function fileBytes(ctx: PluginContext, model: LayersModel, quantization: PruningConfig['sizeQuantization']): Promise<{ bytes: number; metadataBytes: number }> {
  const { bytes, metadataBytes } = await ctx.export.evaluate(model, { quantization, limit: 1 });
  return { bytes, metadataBytes };
}

export async function sparsityForSize(
  ctx: PluginContext, model: LayersModel, plan: ChannelPlan, budget: SizeBudget, quantization: PruningConfig['sizeQuantization'], residualShare = 1,
): Promise<SizeTarget> {
  const base = await fileBytes(ctx, model, quantization);
  const limit = 'bytes' in budget ? budget.bytes : Math.floor(budget.fraction * (base.bytes - base.metadataBytes));
  const measured = new Map<string, number>();
  const countsAt = (sparsity: number) => plan.groups.map((g) => keptChannels(g.channels, groupSparsity(g, sparsity, residualShare)));
  const bytesFor = async (counts: number[]): Promise<number> => {
    // Equal channel counts give equal files: measure each distinct narrowing once.
    const key = counts.join(',');
    const known = measured.get(key);
    if (known !== undefined) return known;
    const narrow = await removeChannels(ctx.tf, model, plan.groups, plan.groups.map((g, i) => strongestChannels(ctx.tf, g, counts[i]!)));
    try {
      const { bytes } = await fileBytes(ctx, narrow, quantization);
      measured.set(key, bytes);
      return bytes;
    } finally {
      narrow.dispose();
    }
  };
  const bytesAt = (sparsity: number) => bytesFor(countsAt(sparsity));
  const sum = (counts: number[]) => counts.reduce((n, k) => n + k, 0);
  const found = (sparsity: number, kept: number[], bytes: number, fits: boolean): SizeTarget => ({
    sparsity, kept, givenBack: sum(kept) - sum(countsAt(sparsity)), bytes, baseBytes: base.bytes, metadataBytes: base.metadataBytes, limit, fits,
  });
  let hi = 0.99;
  let hiBytes = await bytesAt(hi);
  if (hiBytes > limit) return found(hi, countsAt(hi), hiBytes, false);
  let lo = 0;
  for (let i = 0; i < BISECTIONS; i++) {
    if (ctx.signal.aborted) throw new Error('pruning cancelled');
    const mid = (lo + hi) / 2;
    const bytes = await bytesAt(mid);
    if (bytes <= limit) {
      hi = mid;
      hiBytes = bytes;
    } else lo = mid;
  }
  // The same sparsity in every group leaves up to a channel's bytes of each unused: give channels
  // back, one per group per pass, the widest groups first, while the file still fits.
  let kept = countsAt(hi);
  const order = plan.groups.map((_, i) => i).sort((a, b) => plan.groups[b]!.channels - plan.groups[a]!.channels || a - b);
  let tries = 0;
  for (let grown = true; grown && tries < FILL_TRIES;) {
    grown = false;
    for (const i of order) {
      if (kept[i]! >= plan.groups[i]!.channels || tries >= FILL_TRIES) continue;
      if (ctx.signal.aborted) throw new Error('pruning cancelled');
      const next = kept.map((k, j) => (j === i ? k + 1 : k));
      tries += 1;
      const bytes = await bytesFor(next);
      if (bytes <= limit) {
        kept = next;
        hiBytes = bytes;
        grown = true;
      }
    }
  }
  return found(hi, kept, hiBytes, true);
}
