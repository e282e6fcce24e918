// Structured pruning to a file size: the least channel sparsity (the same fraction of every
// group's channels) whose narrowed model, exported by the host as users get it, fits a fraction
// of the model's own file. Sizes depend only on how many channels each group keeps, so the
// search narrows untrained copies of the model and bisects on the sparsity.
import type { LayersModel, PluginContext } from '@condense/plugin-sdk';
import type { ChannelPlan } from './channel-plan.ts';
import type { PruningConfig } from './config.ts';
import { channelsToKeep, keptChannels } from './masks.ts';
import { removeChannels } from './rebuild.ts';

export interface SizeTarget {
  /** The least sparsity found whose file fits (0.99 when none does). */
  sparsity: number;
  /** The narrowed model's file at that sparsity, bytes. */
  bytes: number;
  /** The model's own file, bytes. */
  baseBytes: number;
  fits: boolean;
}

const BISECTIONS = 8;

/** File bytes of `model` in `quantization`, by the host's exporter (one sample evaluated). */
async function fileBytes(ctx: PluginContext, model: LayersModel, quantization: PruningConfig['sizeQuantization']): Promise<number> {
  return (await ctx.export.evaluate(model, { quantization, limit: 1 })).bytes;
}

export async function sparsityForSize(
  ctx: PluginContext, model: LayersModel, plan: ChannelPlan, fraction: number, quantization: PruningConfig['sizeQuantization'],
): Promise<SizeTarget> {
  const baseBytes = await fileBytes(ctx, model, quantization);
  const limit = fraction * baseBytes;
  const measured = new Map<string, number>();
  const bytesAt = async (sparsity: number): Promise<number> => {
    // Equal channel counts give equal files: measure each distinct narrowing once.
    const key = plan.groups.map((g) => keptChannels(g.channels, sparsity)).join(',');
    const known = measured.get(key);
    if (known !== undefined) return known;
    const narrow = await removeChannels(ctx.tf, model, plan.groups, plan.groups.map((g) => channelsToKeep(ctx.tf, g, sparsity)));
    try {
      const bytes = await fileBytes(ctx, narrow, quantization);
      measured.set(key, bytes);
      return bytes;
    } finally {
      narrow.dispose();
    }
  };
  let hi = 0.99;
  let hiBytes = await bytesAt(hi);
  if (hiBytes > limit) return { sparsity: hi, bytes: hiBytes, baseBytes, fits: false };
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
  return { sparsity: hi, bytes: hiBytes, baseBytes, fits: true };
}
