// Exact float rewrites before lowering: fold per-channel MUL/ADD constants (BatchNormalization,
// bias adds) into the preceding conv/dense weights, and fuse RELU/RELU6 into their producer.
// A per-channel affine that cannot fold (batch norm after an activation, after pooling or on the
// input) becomes a 1×1 DEPTHWISE_CONV_2D: the same float arithmetic, but int8 files then store its
// multipliers per channel (TFLite quantizes a MUL constant per tensor, which crushes the ordinary
// channels' scales next to a dead channel's γ/√ε ≈ 30).
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

/** The per-channel multiplier of a MUL by a constant along the last axis (not a scalar). */
function channelMultiplier(graph: IrGraph, op: IrOp): { x: number; scale: Float32Array } | undefined {
  if (op.type !== 'MUL' || activationOf(op) !== 'NONE') return undefined;
  const [x, k] = graph.isConstant(op.inputs[1]) ? op.inputs : [op.inputs[1], op.inputs[0]];
  if (!graph.isConstant(k) || graph.isConstant(x) || graph.tensors[x].dtype === 'int32') return undefined;
  const shape = graph.tensors[x].shape;
  const channels = shape[shape.length - 1];
  if (shape.length < 2 || shape.length > 4 || channels <= 1 || shape.slice(1).some((d) => d < 0)) return undefined;
  const t = graph.tensors[k];
  if (!t.value || t.shape.length !== 1 || t.value.length !== channels) return undefined;
  if (t.value.every((v) => v === t.value![0])) return undefined; // one value: per-tensor is exact
  return { x, scale: t.value };
}

/** MUL by per-channel constants [+ ADD of per-channel constants] → 1×1 DEPTHWISE_CONV_2D. */
function tryAffineToDepthwise(graph: IrGraph, op: IrOp): boolean {
  const mul = channelMultiplier(graph, op);
  if (!mul) return false;
  const shape = graph.tensors[mul.x].shape;
  const channels = shape[shape.length - 1];
  const name = graph.tensors[op.outputs[0]].name;
  // A following ADD of per-channel (or scalar) constants becomes the bias.
  let bias = new Float32Array(channels);
  let activation = 'NONE';
  let last: IrOp = op;
  const readers = graph.ops.filter((r) => r.inputs.includes(op.outputs[0]));
  if (readers.length === 1 && graph.useCount(op.outputs[0]) === 1 && readers[0].type === 'ADD') {
    const add = readers[0];
    const k = add.inputs[0] === op.outputs[0] ? add.inputs[1] : add.inputs[0];
    const constant = graph.isConstant(k) ? channelConstant(graph, k, channels) : undefined;
    const act = activationOf(add) ?? 'NONE';
    if (constant && (act === 'NONE' || act === 'RELU' || act === 'RELU6')) {
      bias = Float32Array.from(constant);
      activation = act;
      last = add;
    }
  }
  const out = last.outputs[0];
  const at = graph.ops.indexOf(op);
  const before = graph.ops.length;
  const w = graph.addConstant(`${name}/channel_scale`, [1, 1, 1, channels], Float32Array.from(mul.scale));
  const b = graph.addConstant(`${name}/channel_shift`, [channels], bias);
  const rows = shape.length === 4 ? undefined : shape.slice(1, -1).reduce((a, d) => a * d, 1);
  let x = mul.x;
  if (rows !== undefined) {
    const as4 = [-1, 1, rows, channels];
    x = graph.addOp('RESHAPE', [x, graph.addIntConstant(`${name}/as4d`, as4)], `${name}/as4d`, as4, { kind: 'ReshapeOptions', newShape: as4 });
  }
  const conv = graph.addOp('DEPTHWISE_CONV_2D', [x, w, b], rows === undefined ? graph.tensors[out].name : `${name}/depthwise`,
    rows === undefined ? shape : [-1, 1, rows, channels], {
      kind: 'DepthwiseConv2DOptions', padding: 'VALID', strideW: 1, strideH: 1, depthMultiplier: 1,
      activation: activation as 'NONE' | 'RELU' | 'RELU6', dilationW: 1, dilationH: 1,
    });
  let y = conv;
  if (rows !== undefined) {
    const back = shape.map((d, i) => (i === 0 ? -1 : d));
    y = graph.addOp('RESHAPE', [conv, graph.addIntConstant(`${name}/shape`, back)], `${graph.tensors[out].name}/reshaped`, back, { kind: 'ReshapeOptions', newShape: back });
  }
  const added = graph.ops.splice(before);
  for (const a of added) a.layer = last.layer ?? op.layer;
  graph.ops = graph.ops.filter((o) => o !== op && o !== last);
  graph.ops.splice(at, 0, ...added);
  graph.replaceUses(out, y);
  return true;
}

function toFixedPoint(graph: IrGraph, rewrites: Array<(graph: IrGraph, op: IrOp) => boolean>): void {
  let changed = true;
  while (changed) {
    changed = false;
    for (const op of [...graph.ops]) {
      if (rewrites.some((rewrite) => rewrite(graph, op))) {
        changed = true;
        break;
      }
    }
  }
}

/** Folds and fuses to a fixed point, then turns the per-channel affines left into depthwise convolutions. */
export function optimizeIr(graph: IrGraph): IrGraph {
  toFixedPoint(graph, [tryFoldAffine, tryFuseActivation]);
  toFixedPoint(graph, [tryAffineToDepthwise]);
  return graph;
}
