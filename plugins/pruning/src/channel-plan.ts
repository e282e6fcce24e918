// Structured pruning plan: which layers' output channels (conv filters / dense units) can be
// removed, and which weights of the layers downstream must be sliced with them. Channels flow
// from a producer through channel-wise layers (BatchNormalization, depthwise conv, pooling,
// activations, Dropout, Flatten) into the consumers that mix them (Dense, Conv, SeparableConv).
// An Add sums channel c of every input: with `residual: 'together'` the layers feeding it (and,
// through identity shortcuts, every Add joined to it) form one group that loses the same
// channels; with 'keep' an Add blocks its producers, as any other layer on the way does
// (Concatenate, Reshape, a model output).
import type { Layer, LayersModel } from '@condense/plugin-sdk';

/** Layers whose output channels can be ranked and removed. */
const PRODUCERS = new Set(['Dense', 'Conv1D', 'Conv2D', 'SeparableConv2D']);
/** Layers that mix all input channels: their input weights are sliced, the walk stops there. */
const CONSUMERS = new Set(['Dense', 'Conv1D', 'Conv2D', 'SeparableConv2D']);
/** Layers that act on each channel on its own and have no per-channel weights. */
const CHANNELWISE = new Set([
  'Activation', 'ReLU', 'LeakyReLU', 'ELU', 'Dropout', 'SpatialDropout1D', 'GaussianNoise', 'GaussianDropout',
  'MaxPooling1D', 'MaxPooling2D', 'AveragePooling1D', 'AveragePooling2D',
  'GlobalAveragePooling1D', 'GlobalAveragePooling2D', 'GlobalMaxPooling1D', 'GlobalMaxPooling2D',
  'ZeroPadding2D', 'Cropping2D', 'UpSampling2D',
]);

/** Maps the producer's kept channels to the feature indices at some point downstream. */
export type IndexMap = (keep: number[]) => number[];

/** One weight to slice (and, while fine-tuning, to mask) along `axis` at the mapped indices. */
export interface WeightSlice {
  layer: Layer;
  /** Weight role: 'kernel', 'bias', 'gamma', 'depthwise_kernel', … */
  role: string;
  axis: number;
  indices: IndexMap;
  /** Whether the slice concerns the layer's own output channels (masked while fine-tuning). */
  masked: boolean;
}

export interface ChannelGroup {
  /** The layers whose output channels go together: one, or every layer feeding the same Add(s). */
  producers: Layer[];
  channels: number;
  slices: WeightSlice[];
}

export interface ChannelPlan {
  groups: ChannelGroup[];
  /** Layers that were asked for (or eligible) but cannot be pruned structurally, with why. */
  skipped: Array<{ layer: string; reason: string }>;
}

/** Activations with f(0) = 0: a removed (all-zero) channel then contributes exactly nothing. */
const ZERO_AT_ZERO = new Set(['linear', 'relu', 'relu6', 'elu', 'selu', 'softsign', 'tanh', 'swish', 'mish', 'gelu', 'gelu_new']);

/** Why the layer's activation stops channel removal (softmax mixes channels; sigmoid(0) ≠ 0), if it does. */
function activationProblem(layer: Layer): string | null {
  const activation = (layer.getConfig() as { activation?: string }).activation;
  if (activation === undefined || ZERO_AT_ZERO.has(activation)) return null;
  return `${layer.getClassName()} '${layer.name}' has activation '${activation}', which is not zero at zero`;
}

const identity: IndexMap = (keep) => keep;

/** Channel c of a depthwise conv with multiplier m becomes outputs c·m … c·m + m − 1. */
function expandBy(multiplier: number, inner: IndexMap): IndexMap {
  if (multiplier === 1) return inner;
  return (keep) => inner(keep).flatMap((c) => Array.from({ length: multiplier }, (_, j) => c * multiplier + j));
}

/** Flatten of [..spatial, C] (channels last): position p, channel c → p·C + c. */
function flattenOf(positions: number, channels: number, inner: IndexMap): IndexMap {
  return (keep) => {
    const kept = inner(keep);
    const out: number[] = [];
    for (let p = 0; p < positions; p++) for (const c of kept) out.push(p * channels + c);
    return out;
  };
}

function lastDimShape(layer: Layer): number[] {
  const shape = layer.inboundNodes[0].inputShapes as (number | null)[] | (number | null)[][];
  const single = (Array.isArray(shape[0]) ? shape[0] : shape) as (number | null)[];
  return single.slice(1).map((d) => d ?? -1);
}

function kernelRank(layer: Layer): number {
  return layer.weights.find((w) => w.shape.length > 1)?.shape.length ?? 2;
}

function consumersOf(model: LayersModel, layer: Layer): Layer[] {
  const inModel = new Set(model.layers);
  return layer.outboundNodes.map((node) => node.outboundLayer).filter((l) => inModel.has(l));
}

function isModelOutput(model: LayersModel, layer: Layer): boolean {
  return model.outputs.some((t) => t.sourceLayer === layer);
}

/** Called when a walk reaches an Add whose inputs may lose channels together; null when Adds block. */
type MergeVisitor = ((add: Layer) => void) | null;

/** Why `layer` (an Add) cannot carry removed channels through, if it cannot. */
function mergeProblem(layer: Layer, map: IndexMap): string | null {
  const shapes = layer.inboundNodes[0].inputShapes as (number | null)[][];
  if (map !== identity) return `Add '${layer.name}' is reached through a layer that reorders channels (Flatten, depth multiplier)`;
  if (shapes.some((s) => JSON.stringify(s) !== JSON.stringify(shapes[0]))) return `Add '${layer.name}' broadcasts inputs of different shapes`;
  return null;
}

/** Follows the channels of `from` downstream, collecting slices; returns a reason when blocked. */
function walk(model: LayersModel, from: Layer, map: IndexMap, slices: WeightSlice[], merge: MergeVisitor = null): string | null {
  if (isModelOutput(model, from)) return `its channels reach the model output through '${from.name}'`;
  const consumers = consumersOf(model, from);
  if (consumers.length === 0) return `'${from.name}' has no consumer in the model`;
  for (const layer of consumers) {
    const cls = layer.getClassName();
    if (layer.inboundNodes.length !== 1) return `'${layer.name}' is shared (called more than once)`;
    if (merge && cls === 'Add') {
      const problem = mergeProblem(layer, map);
      if (problem) return problem;
      merge(layer);
      continue;
    }
    if (layer.inboundNodes[0].inboundLayers.length !== 1) return `${cls} '${layer.name}' merges several inputs`;
    let reason: string | null;
    if (CONSUMERS.has(cls)) {
      const rank = kernelRank(layer);
      if (cls === 'SeparableConv2D') {
        const multiplier = (layer.getConfig() as { depthMultiplier?: number }).depthMultiplier ?? 1;
        slices.push({ layer, role: 'depthwise_kernel', axis: 2, indices: map, masked: false });
        slices.push({ layer, role: 'pointwise_kernel', axis: 2, indices: expandBy(multiplier, map), masked: false });
      } else {
        slices.push({ layer, role: 'kernel', axis: rank - 2, indices: map, masked: false });
      }
      continue;
    } else if (cls === 'BatchNormalization') {
      const axis = (layer.getConfig() as { axis?: number | number[] }).axis;
      const rank = lastDimShape(layer).length + 1;
      if (!(axis === -1 || axis === rank - 1)) return `BatchNormalization '${layer.name}' normalises axis ${String(axis)}, not the channels`;
      for (const role of ['gamma', 'beta']) slices.push({ layer, role, axis: 0, indices: map, masked: true });
      for (const role of ['moving_mean', 'moving_variance']) slices.push({ layer, role, axis: 0, indices: map, masked: false });
      reason = walk(model, layer, map, slices, merge);
    } else if (cls === 'DepthwiseConv2D') {
      const problem = activationProblem(layer);
      if (problem) return problem;
      const multiplier = (layer.getConfig() as { depthMultiplier?: number }).depthMultiplier ?? 1;
      slices.push({ layer, role: 'depthwise_kernel', axis: 2, indices: map, masked: true });
      slices.push({ layer, role: 'bias', axis: 0, indices: expandBy(multiplier, map), masked: true });
      reason = walk(model, layer, expandBy(multiplier, map), slices, merge);
    } else if (cls === 'Flatten') {
      const shape = lastDimShape(layer);
      const channels = shape[shape.length - 1];
      const positions = shape.slice(0, -1).reduce((a, b) => a * b, 1);
      if (positions < 0 || channels < 0) return `Flatten '${layer.name}' has an input of unknown size`;
      reason = walk(model, layer, flattenOf(positions, channels, map), slices, merge);
    } else if (CHANNELWISE.has(cls)) {
      reason = activationProblem(layer) ?? walk(model, layer, map, slices, merge);
    } else {
      return `${cls} '${layer.name}' consumes its channels (not supported for channel removal)`;
    }
    if (reason) return reason;
  }
  return null;
}

function channelCount(layer: Layer): number {
  const config = layer.getConfig() as { units?: number; filters?: number };
  return config.units ?? config.filters ?? 0;
}

/** Upstream of an Add's input, through channel-wise layers: the producer or Add the channels come from. */
function sourceOf(layer: Layer, add: Layer): { producer: Layer } | { add: Layer } | { reason: string } {
  let at = layer;
  for (;;) {
    const cls = at.getClassName();
    if (PRODUCERS.has(cls)) return { producer: at };
    if (cls === 'Add') return { add: at };
    const multiplier = (at.getConfig() as { depthMultiplier?: number }).depthMultiplier ?? 1;
    const passes = CHANNELWISE.has(cls) || cls === 'BatchNormalization' || (cls === 'DepthwiseConv2D' && multiplier === 1);
    if (!passes || at.inboundNodes.length !== 1 || at.inboundNodes[0].inboundLayers.length !== 1) {
      return { reason: `${cls} '${at.name}' feeds Add '${add.name}' and has no channels to remove` };
    }
    at = at.inboundNodes[0].inboundLayers[0];
  }
}

/**
 * The group `seed` belongs to: with `together`, every producer whose channels meet the seed's at
 * an Add (and, through those Adds' other inputs and identity shortcuts, every producer and Add
 * joined to them), with the slices downstream of each producer and each Add collected once.
 */
function planGroup(model: LayersModel, seed: Layer, together: boolean): { producers: Layer[]; slices: WeightSlice[]; reason: string | null } {
  const producers: Layer[] = [];
  const slices: WeightSlice[] = [];
  const adds = new Set<Layer>();
  const pending: Layer[] = [];
  const merge: MergeVisitor = together ? (add) => {
    if (adds.has(add)) return;
    adds.add(add);
    pending.push(add);
  } : null;
  const addProducer = (layer: Layer): string | null => {
    producers.push(layer);
    const outAxis = kernelRank(layer) - 1;
    const kernelRole = layer.getClassName() === 'SeparableConv2D' ? 'pointwise_kernel' : 'kernel';
    slices.push({ layer, role: kernelRole, axis: outAxis, indices: identity, masked: true });
    slices.push({ layer, role: 'bias', axis: 0, indices: identity, masked: true });
    return walk(model, layer, identity, slices, merge) ?? activationProblem(layer);
  };
  let reason = addProducer(seed);
  while (!reason && pending.length > 0) {
    const add = pending.shift()!;
    reason = walk(model, add, identity, slices, merge);
    for (const inbound of add.inboundNodes[0].inboundLayers) {
      if (reason) break;
      const source = sourceOf(inbound, add);
      if ('reason' in source) reason = source.reason;
      else if ('add' in source) merge!(source.add);
      else if (!producers.includes(source.producer)) {
        if (channelCount(source.producer) !== channelCount(seed)) reason = `Add '${add.name}' sums '${seed.name}' with '${source.producer.name}' of another width`;
        else reason = addProducer(source.producer);
      }
    }
  }
  return { producers, slices, reason };
}

/**
 * Plans channel removal for the producers in `model` (restricted to `only` when non-empty: a
 * group is planned when every layer in it is named). `residual: 'together'` groups the layers
 * feeding an Add; 'keep' leaves them untouched.
 */
export function planChannels(model: LayersModel, only: string[] = [], residual: 'together' | 'keep' = 'together'): ChannelPlan {
  const groups: ChannelGroup[] = [];
  const skipped: ChannelPlan['skipped'] = [];
  const done = new Set<Layer>();
  for (const layer of model.layers) {
    if (only.length > 0 && !only.includes(layer.name)) continue;
    if (done.has(layer)) continue;
    const cls = layer.getClassName();
    if (!PRODUCERS.has(cls)) {
      if (only.length > 0) skipped.push({ layer: layer.name, reason: `${cls} has no output channels to rank` });
      continue;
    }
    const group = planGroup(model, layer, residual === 'together');
    const outside = only.length > 0 ? group.producers.filter((p) => !only.includes(p.name)) : [];
    const reason = group.reason ?? (outside.length > 0
      ? `its channels are summed with those of ${outside.map((p) => `'${p.name}'`).join(', ')} (not in config.layers)`
      : null);
    for (const p of group.producers) done.add(p);
    if (reason) {
      for (const p of group.producers) if (only.length === 0 || only.includes(p.name)) skipped.push({ layer: p.name, reason });
      continue;
    }
    groups.push({ producers: group.producers, channels: channelCount(layer), slices: group.slices });
  }
  return { groups, skipped };
}
