// Weights for a teacher-derived student from the teacher itself: width pruning as Minitron does it
// (Muralidharan et al. 2024, arXiv 2407.14679, §2: rank each layer's channels by importance, keep
// the top ones, then distil), with the filter L1 norm as the importance (Li et al. 2017, "Pruning
// Filters for Efficient ConvNets", arXiv 1608.08710). Every narrowed convolution or hidden dense
// layer keeps the channels whose filters have the largest L1 norm; layers whose channels must line
// up — the inputs of an Add, and everything channel-wise between producers (batch norm,
// activations, pooling, depthwise convolutions) — share one ranking, the sum of their producers'.
// The student then starts where structured pruning of the teacher would leave it, instead of from
// random weights. Layers this file does not know leave the student freshly initialised.
import type { LayersModel, Tensor, Tf } from '@condense/plugin-sdk';

/** Layers whose output channels are their input's, one for one. */
const CHANNELWISE = new Set([
  'BatchNormalization', 'Activation', 'ReLU', 'LeakyReLU', 'ELU', 'Softmax', 'ThresholdedReLU', 'Dropout', 'SpatialDropout1D', 'SpatialDropout2D',
  'GaussianNoise', 'GaussianDropout', 'AlphaDropout', 'MaxPooling1D', 'MaxPooling2D', 'AveragePooling1D', 'AveragePooling2D', 'GlobalAveragePooling1D',
  'GlobalAveragePooling2D', 'GlobalMaxPooling1D', 'GlobalMaxPooling2D', 'ZeroPadding1D', 'ZeroPadding2D', 'Cropping1D', 'Cropping2D', 'UpSampling1D', 'UpSampling2D',
  'DepthwiseConv2D',
]);
const MERGES = new Set(['Add', 'Subtract', 'Multiply', 'Maximum', 'Minimum', 'Average']);
const PRODUCERS = new Set(['Conv1D', 'Conv2D', 'SeparableConv2D', 'Dense']);

/** The channels of a layer's output: a ranking group (null = not narrowed), and for a flattened
 * map the number of positions each channel repeats over (flat index = position × C + channel). */
interface Channels { group: number | null; positions: number }

type LayerLike = LayersModel['layers'][number];
const inbound = (layer: LayerLike): LayerLike[] => {
  const nodes = (layer as unknown as { inboundNodes: Array<{ inboundLayers: LayerLike[] }> }).inboundNodes;
  return nodes?.[0]?.inboundLayers ?? [];
};
const outChannels = (layer: LayerLike): number => {
  const shape = layer.outputShape as number[];
  return shape[shape.length - 1];
};

/**
 * Copies the teacher's most important channels into `student` (the teacher's architecture narrowed
 * by narrowTeacher, its layers named `<prefix><teacher layer name>`). Returns null when done, or
 * why not (the student then keeps its fresh weights).
 */
export function inheritChannels(tf: Tf, teacher: LayersModel, student: LayersModel, prefix: string): string | null {
  const studentLayer = new Map(student.layers.map((l) => [l.name, l]));
  const classifier = [...teacher.layers].reverse().find((l) => PRODUCERS.has(l.getClassName()));
  const channels = new Map<string, Channels>();
  // Union-find over ranking groups: the inputs of a merge must keep the same channels.
  const parent: number[] = [];
  const find = (g: number): number => (parent[g] === g ? g : (parent[g] = find(parent[g])));
  const size: number[] = [];
  const members: Array<Array<{ layer: LayerLike }>> = [];
  for (const layer of teacher.layers) {
    const cls = layer.getClassName();
    const inputs = inbound(layer).map((l) => channels.get(l.name) ?? { group: null, positions: 1 });
    const input = inputs[0] ?? { group: null, positions: 1 };
    if (cls === 'InputLayer') {
      channels.set(layer.name, { group: null, positions: 1 });
    } else if (PRODUCERS.has(cls)) {
      if (input.positions > 1 && cls !== 'Dense') return `layer ${layer.name} (${cls}) reads a flattened map`;
      const mine = studentLayer.get(`${prefix}${layer.name}`);
      if (!mine) return `the student has no layer ${prefix}${layer.name}`;
      const narrowed = layer !== classifier && outChannels(mine) < outChannels(layer);
      if (narrowed) {
        const g = parent.length;
        parent.push(g);
        size.push(outChannels(mine));
        members.push([{ layer }]);
        channels.set(layer.name, { group: g, positions: 1 });
      } else channels.set(layer.name, { group: null, positions: 1 });
    } else if (CHANNELWISE.has(cls)) {
      if (cls === 'DepthwiseConv2D' && (layer.getConfig() as { depthMultiplier?: number }).depthMultiplier !== 1) return `layer ${layer.name}: depth multiplier ≠ 1`;
      channels.set(layer.name, input);
    } else if (MERGES.has(cls)) {
      const groups = inputs.map((c) => c.group);
      if (groups.some((g) => g === null) && groups.some((g) => g !== null)) return `layer ${layer.name} (${cls}) merges narrowed and full-width inputs`;
      if (inputs.some((c) => c.positions !== 1)) return `layer ${layer.name} (${cls}) merges flattened maps`;
      const roots = groups.filter((g): g is number => g !== null).map(find);
      for (const r of roots.slice(1)) {
        if (r !== roots[0]) {
          parent[r] = roots[0];
          members[roots[0]].push(...members[r]);
        }
      }
      channels.set(layer.name, { group: roots[0] ?? null, positions: 1 });
    } else if (cls === 'Flatten') {
      const shape = inbound(layer)[0]?.outputShape as number[] | undefined;
      if (!shape) return `layer ${layer.name}: unknown input shape`;
      const positions = shape.slice(1, -1).reduce((a, d) => a * d, 1);
      channels.set(layer.name, { group: input.group, positions: input.positions * positions });
    } else {
      return `layer ${layer.name} (${cls}) is not one whose channels can be followed`;
    }
  }

  let failure: string | null = null;
  tf.tidy(() => {
    failure = narrowWeights();
  });
  return failure;

  function narrowWeights(): string | null {
    // Keep, per group: the top-k channels by the summed L1 norm of the group's producing filters.
    const keep = new Map<number, Tensor>();
    const keepOf = (g: number | null): Tensor | null => {
      if (g === null) return null;
      const root = find(g);
      let k = keep.get(root);
      if (!k) {
        let score: Tensor | null = null;
        for (const { layer } of members[root]) {
          const kernel = layer.getClassName() === 'SeparableConv2D' ? layer.getWeights()[1] : layer.getWeights()[0];
          const axes = kernel.shape.slice(0, -1).map((_, i) => i);
          const l1 = tf.sum(tf.abs(kernel), axes);
          score = score ? tf.add(score, l1) : l1;
        }
        const top = Array.from(tf.topk(score!, size[root]).indices.dataSync()).sort((a, b) => a - b);
        k = tf.tensor1d(top, 'int32');
        keep.set(root, k);
      }
      return k;
    };
    const assignments: Array<[LayerLike, Tensor[]]> = [];
    const gather = (t: Tensor, idx: Tensor | null, axis: number) => (idx ? tf.gather(t, idx, axis < 0 ? t.rank + axis : axis) : t);
    for (const layer of teacher.layers) {
      const weights = layer.getWeights();
      if (weights.length === 0) continue;
      const mine = studentLayer.get(`${prefix}${layer.name}`)!;
      const cls = layer.getClassName();
      const input = inbound(layer).map((l) => channels.get(l.name)!)[0] ?? { group: null, positions: 1 };
      const inKeep = keepOf(input.group);
      const outKeep = keepOf(channels.get(layer.name)!.group);
      let next: Tensor[];
      if (cls === 'Dense') {
        let rows = inKeep;
        if (inKeep && input.positions > 1) {
          const c = weights[0].shape[0] / input.positions;
          const base = tf.mul(tf.range(0, input.positions, 1, 'int32').reshape([input.positions, 1]), tf.scalar(c, 'int32'));
          rows = tf.add(base, inKeep.reshape([1, -1])).reshape([-1]);
        }
        next = [gather(gather(weights[0], rows, 0), outKeep, 1), ...weights.slice(1).map((b) => gather(b, outKeep, 0))];
      } else if (cls === 'Conv1D' || cls === 'Conv2D') {
        next = [gather(gather(weights[0], inKeep, -2), outKeep, -1), ...weights.slice(1).map((b) => gather(b, outKeep, 0))];
      } else if (cls === 'SeparableConv2D') {
        next = [gather(weights[0], inKeep, -2), gather(gather(weights[1], inKeep, -2), outKeep, -1), ...weights.slice(2).map((b) => gather(b, outKeep, 0))];
      } else if (cls === 'DepthwiseConv2D') {
        next = [gather(weights[0], inKeep, -2), ...weights.slice(1).map((b) => gather(b, inKeep, 0))];
      } else if (cls === 'BatchNormalization') {
        next = weights.map((w) => gather(w, inKeep, 0));
      } else {
        return `layer ${layer.name} (${cls}) has weights this file cannot narrow`;
      }
      const expected = mine.getWeights().map((w) => w.shape.join('x'));
      const got = next.map((w) => w.shape.join('x'));
      if (expected.join(',') !== got.join(',')) return `layer ${layer.name}: narrowed weights ${got.join(', ')} do not fit the student's ${expected.join(', ')}`;
      assignments.push([mine, next]);
    }
    // All or nothing: the student changes only once every layer's weights fit.
    for (const [layer, next] of assignments) layer.setWeights(next);
    return null;
  }
}
