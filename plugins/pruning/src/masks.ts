// Pruning masks kept on the device and re-applied after every optimizer step, so a pruned
// weight stays zero while the rest of the network fine-tunes around it.
import { findWeight, type LayerVariable, type Tensor, type Tf } from '@condense/plugin-sdk';
import type { ChannelGroup } from './channel-plan.ts';

export interface MaskedVariable {
  variable: LayerVariable;
  mask: Tensor;
}

export class MaskSet {
  private readonly entries = new Map<LayerVariable, Tensor>();

  constructor(private readonly tf: Tf) {}

  set(variable: LayerVariable, mask: Tensor): void {
    this.entries.get(variable)?.dispose();
    // Masks are made inside training steps; keep them alive past any tensor scope there.
    this.entries.set(variable, this.tf.keep(mask));
  }

  /** Multiplies every masked variable by its mask. */
  apply(): void {
    const { tf } = this;
    tf.tidy(() => {
      for (const [variable, mask] of this.entries) variable.write(tf.mul(variable.read(), mask));
    });
  }

  dispose(): void {
    for (const mask of this.entries.values()) mask.dispose();
    this.entries.clear();
  }
}

/** Per-weight magnitude mask: zeroes the `sparsity` fraction of entries smallest in |w|. */
export function magnitudeMask(tf: Tf, weights: Tensor, sparsity: number): Tensor {
  return tf.tidy(() => {
    const abs = tf.abs(weights);
    const prune = Math.floor(sparsity * weights.size);
    if (prune <= 0) return tf.onesLike(weights);
    if (prune >= weights.size) return tf.zerosLike(weights);
    // The prune-th smallest magnitude: the largest of the `prune` smallest values.
    const smallest = tf.topk(tf.neg(tf.reshape(abs, [-1])), prune, true).values;
    const threshold = tf.neg(tf.min(smallest));
    return tf.cast(tf.greater(abs, threshold), 'float32');
  });
}

/**
 * Indices of the channels to keep: the (1 − sparsity) fraction with the largest L1 norm. A group
 * of several producers (the layers feeding an Add) ranks channel c by the sum over producers of
 * its L1 norm relative to that producer's mean, so a wide kernel does not outvote a narrow one.
 */
export function channelsToKeep(tf: Tf, group: ChannelGroup, sparsity: number): number[] {
  return strongestChannels(tf, group, keptChannels(group.channels, sparsity));
}

/** Indices of the `count` channels of `group` with the largest L1 norm (ranked as channelsToKeep does). */
export function strongestChannels(tf: Tf, group: ChannelGroup, count: number): number[] {
  const scores = new Float64Array(group.channels);
  for (const producer of group.producers) {
    const own = group.slices.find((s) => s.layer === producer && s.role !== 'bias')!;
    const kernel = findWeight(producer, own.role)!.read();
    const norms = tf.tidy(() => {
      const axes = kernel.shape.map((_, i) => i).filter((i) => i !== own.axis);
      return tf.sum(tf.abs(kernel), axes).dataSync() as Float32Array;
    });
    const mean = norms.reduce((a, b) => a + b, 0) / norms.length || 1;
    norms.forEach((v, c) => { scores[c] += group.producers.length === 1 ? v : v / mean; });
  }
  const order = Array.from(scores.keys()).sort((a, b) => scores[b] - scores[a] || a - b);
  return order.slice(0, count).sort((a, b) => a - b);
}

/** Whether `group` is a residual path: several producers (the layers feeding a residual Add), pruned together. */
export function isResidualGroup(group: ChannelGroup): boolean {
  return group.producers.length > 1;
}

/** The sparsity of `group` when the model is pruned at `sparsity`: a residual group loses
 * `residualShare` of it. */
export function groupSparsity(group: ChannelGroup, sparsity: number, residualShare: number): number {
  return isResidualGroup(group) ? sparsity * residualShare : sparsity;
}

/** How many of `channels` a layer keeps at `sparsity` (at least one). */
export function keptChannels(channels: number, sparsity: number): number {
  return Math.max(1, channels - Math.floor(sparsity * channels));
}

/** A 0/1 tensor shaped to broadcast along `axis` of a weight of `shape`. */
function axisMask(tf: Tf, shape: number[], axis: number, indices: number[]): Tensor {
  const values = new Float32Array(shape[axis]);
  for (const i of indices) values[i] = 1;
  const broadcast = shape.map((d, i) => (i === axis ? d : 1));
  return tf.tensor(values, broadcast);
}

/** Masks of the group's own output channels (and the channel-wise weights that follow them). */
export function setChannelMasks(tf: Tf, masks: MaskSet, group: ChannelGroup, keep: number[]): void {
  for (const slice of group.slices) {
    if (!slice.masked) continue;
    const variable = findWeight(slice.layer, slice.role);
    if (!variable) continue;
    masks.set(variable, axisMask(tf, variable.shape as number[], slice.axis, slice.indices(keep)));
  }
}
