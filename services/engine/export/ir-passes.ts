// Exact float rewrites before lowering: fold per-channel MUL/ADD constants (BatchNormalization,
// bias adds) into the preceding conv/dense weights, and fuse RELU/RELU6 into their producer.
import type { IrGraph, IrOp } from './ir.ts';
import { getOpSpec } from './op-specs.ts';

/** Output-channel axis of the weights of ops whose weights can absorb a per-channel affine. */
const WEIGHT_CHANNEL_AXIS: Partial<Record<IrOp['type'], number>> = { CONV_2D: 0, DEPTHWISE_CONV_2D: 3, FULLY_CONNECTED: 0 };

function activationOf(op: IrOp): string | undefined {
  return op.options && 'activation' in op.options ? op.options.activation : undefined;
}

/** The foldable producer of `x` (conv/dense with no activation, `x` used only once), if any. */
function foldableProducer(graph: IrGraph, x: number): IrOp | undefined {
  const producer = graph.producer(x);
  if (!producer || WEIGHT_CHANNEL_AXIS[producer.type] === undefined) return undefined;
  if (activationOf(producer) !== 'NONE' || graph.useCount(x) !== 1) return undefined;
  if (!graph.isConstant(producer.inputs[1]) || !graph.isConstant(producer.inputs[2])) return undefined;
  return producer;
}

/** Per-channel constant of `channels` values (or a scalar), broadcast along the last axis. */
function channelConstant(graph: IrGraph, id: number, channels: number): Float32Array | undefined {
  const t = graph.tensors[id];
  if (!t.value || t.shape.length > 1) return undefined;
  if (t.value.length === channels) return t.value;
  if (t.value.length === 1) return new Float32Array(channels).fill(t.value[0]);
  return undefined;
}

function scaleWeights(graph: IrGraph, op: IrOp, scale: Float32Array): void {
  const w = graph.tensors[op.inputs[1]];
  const b = graph.tensors[op.inputs[2]];
  const axis = WEIGHT_CHANNEL_AXIS[op.type]!;
  const inner = w.shape.slice(axis + 1).reduce((a, d) => a * d, 1);
  const channels = w.shape[axis];
  const values = Float32Array.from(w.value!);
  for (let i = 0; i < values.length; i++) values[i] *= scale[Math.floor(i / inner) % channels];
  w.value = values;
  b.value = b.value!.map((v, c) => v * scale[c]);
}

function tryFoldAffine(graph: IrGraph, op: IrOp): boolean {
  if (op.type !== 'MUL' && op.type !== 'ADD') return false;
  if (activationOf(op) !== 'NONE') return false;
  const [x, k] = graph.isConstant(op.inputs[1]) ? op.inputs : [op.inputs[1], op.inputs[0]];
  if (!graph.isConstant(k) || graph.isConstant(x)) return false;
  const producer = foldableProducer(graph, x);
  if (!producer) return false;
  const channels = graph.tensors[producer.inputs[2]].shape[0];
  const constant = channelConstant(graph, k, channels);
  if (!constant) return false;
  if (op.type === 'MUL') {
    scaleWeights(graph, producer, constant);
  } else {
    const b = graph.tensors[producer.inputs[2]];
    b.value = b.value!.map((v, c) => v + constant[c]);
  }
  graph.ops = graph.ops.filter((o) => o !== op);
  graph.replaceUses(op.outputs[0], x);
  return true;
}

function tryFuseActivation(graph: IrGraph, op: IrOp): boolean {
  if (op.type !== 'RELU' && op.type !== 'RELU6') return false;
  const x = op.inputs[0];
  const producer = graph.producer(x);
  if (!producer || !getOpSpec(producer.type).fusesActivation) return false;
  if (activationOf(producer) !== 'NONE' || graph.useCount(x) !== 1 || graph.inputs.includes(x)) return false;
  (producer.options as { activation: string }).activation = op.type;
  graph.ops = graph.ops.filter((o) => o !== op);
  graph.replaceUses(op.outputs[0], x);
  return true;
}

/** Runs both rewrites to a fixed point. */
export function optimizeIr(graph: IrGraph): IrGraph {
  let changed = true;
  while (changed) {
    changed = false;
    for (const op of [...graph.ops]) {
      if (tryFoldAffine(graph, op) || tryFuseActivation(graph, op)) {
        changed = true;
        break;
      }
    }
  }
  return graph;
}
