// Lowers the float IR graph to typed TFLite tensors and operators for one quantization mode:
//  float32      — as is;
//  float16      — float constants stored as FLOAT16, expanded by DEQUANTIZE ops at load;
//  dynamic-int8 — conv/dense weights int8 (symmetric), activations float: TFLite's hybrid
//                 kernels quantize inputs on the fly ('hybrid'), or weights are expanded by
//                 DEQUANTIZE ops ('dequantize', runs on runtimes without hybrid kernels);
//  int8         — full integer (Jacob et al. 2018, "Quantization and Training of Neural Networks
//                 for Efficient Integer-Arithmetic-Only Inference"), calibrated activations.
import type { IrGraph, IrOp } from './ir.ts';
import type { TensorRange } from './ir-interpreter.ts';
import { getOpSpec } from './op-specs.ts';
import {
  asymmetricParams, biasSafeWeightScales, quantizeAsymmetric, quantizeBias, quantizeSymmetric, toFloat16, type AffineParams,
} from './quantize.ts';
import type { OperatorSpec, TensorSpec, TfliteModelSpec } from './tflite-model.ts';

export type QuantizationMode = 'float32' | 'float16' | 'dynamic-int8' | 'int8';

export interface LowerOptions {
  mode: QuantizationMode;
  /** Calibrated activation ranges (int8 only). */
  ranges?: Map<number, TensorRange>;
  /** Ranges learned in training (quantization-aware), by tensor id (int8 only): a tensor's
   * parameter group (tensors tied to share them) uses the learned ranges of its members and
   * ignores their calibrated ones. */
  learnedRanges?: Map<number, TensorRange>;
  /** Type of the model's inputs/outputs in int8 mode (float32 adds QUANTIZE/DEQUANTIZE at the edges). */
  ioType?: 'float32' | 'int8';
  /** dynamic-int8: weights with fewer elements stay float (TFLite's converter uses 1024). */
  dynamicRangeMinElements?: number;
  /** dynamic-int8: hybrid int8 kernels, or DEQUANTIZE the weights to float at load. */
  dynamicInt8Kernels?: 'hybrid' | 'dequantize';
  description?: string;
}

type Typed = Float32Array | Int32Array | Int8Array | Uint16Array;

function raw(a: Typed): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength).slice();
}

function shapeFields(shape: number[]): Pick<TensorSpec, 'shape' | 'shapeSignature'> {
  const fixed = shape.map((d) => (d < 0 ? 1 : d));
  return shape.some((d) => d < 0) ? { shape: fixed, shapeSignature: shape } : { shape: fixed };
}

/**
 * Ops that stay float inside an int8 model: ops whose spec says so, ops touching int32 tensors
 * (e.g. LSH_PROJECTION and the CAST after it), and pass-through ops (reshape, slice, pools,
 * concatenation) all of whose readers are float ops — so data such as hashed ids is never
 * squeezed through int8 on its way to a float op.
 */
function floatOpsInInt8(graph: IrGraph): Set<IrOp> {
  const floatOps = new Set<IrOp>();
  const isInt32 = (id: number) => id >= 0 && graph.tensors[id].dtype === 'int32';
  for (const op of graph.ops) {
    const spec = getOpSpec(op.type);
    const int32Data = op.inputs.some((i, k) => isInt32(i) && !graph.isConstant(i) && !(spec.int8Output === 'weights' && spec.intInputs?.includes(k)));
    if (spec.int8Output === 'float' || op.outputs.some(isInt32) || int32Data) floatOps.add(op);
  }
  let changed = true;
  while (changed) {
    changed = false;
    for (const op of [...graph.ops].reverse()) {
      if (floatOps.has(op) || getOpSpec(op.type).int8Output !== 'tied') continue;
      const readers = graph.ops.filter((r) => r.inputs.some((i) => op.outputs.includes(i)));
      const isOutput = op.outputs.some((o) => graph.outputs.includes(o));
      if (!isOutput && readers.length > 0 && readers.every((r) => floatOps.has(r))) {
        floatOps.add(op);
        changed = true;
      }
    }
  }
  return floatOps;
}

/** int8 parameters of every activation, honouring ops whose output must share its input's. */
function activationParams(
  graph: IrGraph, ranges: Map<number, TensorRange>, floatOps: Set<IrOp>, learned: Map<number, TensorRange> = new Map(),
): Map<number, AffineParams> {
  const parent = new Map<number, number>();
  const find = (x: number): number => {
    let r = x;
    while (parent.has(r) && parent.get(r) !== r) r = parent.get(r)!;
    parent.set(x, r);
    return r;
  };
  const union = (a: number, b: number) => parent.set(find(a), find(b));
  const fixed = new Map<number, AffineParams>();
  const int8Ops = graph.ops.filter((op) => !floatOps.has(op));
  for (const op of int8Ops) {
    if (getOpSpec(op.type).int8Output === 'tied') {
      for (const i of op.inputs) if (i >= 0 && !graph.isConstant(i)) union(i, op.outputs[0]);
    }
  }
  for (const op of int8Ops) {
    const spec = getOpSpec(op.type);
    const out = spec.int8Output;
    if (typeof out === 'object') fixed.set(find(op.outputs[0]), out);
    if (out === 'weights') {
      const table = graph.tensors[op.inputs[spec.weights!.input]].value!;
      fixed.set(find(op.outputs[0]), { scale: quantizeSymmetric(table, [table.length], null).scales[0], zeroPoint: 0 });
    }
  }
  const groupRange = new Map<number, TensorRange>();
  const learnedGroups = new Set([...learned.keys()].map(find));
  for (const [id, r] of [...learned, ...[...ranges].filter(([id]) => !learnedGroups.has(find(id)))]) {
    const g = find(id);
    const prev = groupRange.get(g);
    groupRange.set(g, prev ? { min: Math.min(prev.min, r.min), max: Math.max(prev.max, r.max) } : r);
  }
  const params = new Map<number, AffineParams>();
  for (const t of graph.tensors) {
    if (graph.isConstant(t.id)) continue;
    const g = find(t.id);
    const p = fixed.get(g) ?? (groupRange.has(g) ? asymmetricParams(groupRange.get(g)!) : undefined);
    if (p) params.set(t.id, p);
  }
  return params;
}

export function lowerIr(graph: IrGraph, o: LowerOptions): TfliteModelSpec {
  const int8 = o.mode === 'int8';
  if (int8 && !o.ranges) throw new Error('int8 lowering needs calibrated ranges');
  const floatOps = int8 ? floatOpsInInt8(graph) : new Set<IrOp>();
  const params = int8 ? activationParams(graph, o.ranges!, floatOps, o.learnedRanges) : new Map<number, AffineParams>();
  const floatIo = !int8 || (o.ioType ?? 'float32') === 'float32';
  const minElements = o.dynamicRangeMinElements ?? 1024;
  const hybrid = (o.dynamicInt8Kernels ?? 'hybrid') === 'hybrid';

  const tensors: TensorSpec[] = [];
  const prologue: OperatorSpec[] = [];
  const body: OperatorSpec[] = [];
  const add = (t: TensorSpec) => tensors.push(t) - 1;

  // Where each activation naturally lives: int32 tensors as int32; in int8 mode, the outputs of
  // int8 ops (and int8-typed inputs) as int8, everything else as float32.
  const producer = new Map<number, IrOp>();
  for (const op of graph.ops) for (const out of op.outputs) producer.set(out, op);
  const naturallyInt8 = (id: number): boolean => {
    if (!int8) return false;
    const p = producer.get(id);
    return p ? !floatOps.has(p) : !floatIo;
  };
  const isGraphOutput = (id: number) => graph.outputs.includes(id);

  const int8Spec = (id: number, name: string): TensorSpec => {
    const t = graph.tensors[id];
    const p = params.get(id);
    if (!p) throw new Error(`no calibration range for tensor '${t.name}'`);
    return { name, ...shapeFields(t.shape), type: 'INT8', quantization: { scale: [p.scale], zeroPoint: [p.zeroPoint] } };
  };

  const natural = new Map<number, number>();
  const naturalTensor = (id: number): number => {
    const known = natural.get(id);
    if (known !== undefined) return known;
    const t = graph.tensors[id];
    let idx: number;
    if (t.dtype === 'int32') {
      idx = add({ name: t.name, ...shapeFields(t.shape), type: 'INT32' });
    } else if (naturallyInt8(id)) {
      // A float graph output keeps the plain name for its float copy.
      idx = add(int8Spec(id, isGraphOutput(id) && floatIo ? `${t.name}/int8` : t.name));
    } else {
      idx = add({ name: isGraphOutput(id) && int8 && !floatIo ? `${t.name}/float` : t.name, ...shapeFields(t.shape), type: 'FLOAT32' });
    }
    natural.set(id, idx);
    return idx;
  };

  // Converted copies, made by a QUANTIZE/DEQUANTIZE emitted just before their first reader.
  const converted = new Map<string, number>();
  const asInt8 = (id: number): number => {
    if (graph.tensors[id].dtype === 'int32' || naturallyInt8(id)) return naturalTensor(id);
    const key = `q${id}`;
    let idx = converted.get(key);
    if (idx === undefined) {
      const t = graph.tensors[id];
      idx = add(int8Spec(id, isGraphOutput(id) && !floatIo ? t.name : `${t.name}/int8`));
      body.push({ op: 'QUANTIZE', version: 2, inputs: [naturalTensor(id)], outputs: [idx], options: { kind: 'QuantizeOptions' } });
      converted.set(key, idx);
    }
    return idx;
  };
  const asFloat = (id: number): number => {
    if (!naturallyInt8(id)) return naturalTensor(id);
    const key = `f${id}`;
    let idx = converted.get(key);
    if (idx === undefined) {
      const t = graph.tensors[id];
      idx = add({ name: isGraphOutput(id) && floatIo ? t.name : `${t.name}/float`, ...shapeFields(t.shape), type: 'FLOAT32' });
      body.push({ op: 'DEQUANTIZE', version: 2, inputs: [naturalTensor(id)], outputs: [idx], options: { kind: 'DequantizeOptions' } });
      converted.set(key, idx);
    }
    return idx;
  };

  /** A float-producing DEQUANTIZE of a stored constant, run once before the graph. */
  const dequantized = (name: string, shape: number[], stored: TensorSpec, version: number): number => {
    const src = add(stored);
    const dst = add({ name, ...shapeFields(shape), type: 'FLOAT32' });
    prologue.push({ op: 'DEQUANTIZE', version, inputs: [src], outputs: [dst], options: { kind: 'DequantizeOptions' } });
    return dst;
  };

  const constants = new Map<string, number>();
  const constant = (id: number, quantized: boolean): number => {
    const key = `${id}:${quantized}`;
    const known = constants.get(key);
    if (known !== undefined) return known;
    const t = graph.tensors[id];
    let idx: number;
    if (t.intValue) {
      idx = add({ name: t.name, shape: t.shape, type: 'INT32', data: raw(t.intValue) });
    } else if (o.mode === 'float16' || (t.exactInFloat16 && !quantized)) {
      idx = dequantized(t.name, t.shape, { name: `${t.name}/fp16`, shape: t.shape, type: 'FLOAT16', data: raw(toFloat16(t.value!)) }, 3);
    } else if (quantized) {
      let lo = Infinity;
      let hi = -Infinity;
      for (const v of t.value!) {
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
      const p = asymmetricParams({ min: lo, max: hi });
      idx = add({ name: t.name, shape: t.shape, type: 'INT8', data: raw(quantizeAsymmetric(t.value!, p)), quantization: { scale: [p.scale], zeroPoint: [p.zeroPoint] } });
    } else {
      idx = add({ name: t.name, shape: t.shape, type: 'FLOAT32', data: raw(t.value!) });
    }
    constants.set(key, idx);
    return idx;
  };

  const int8Weight = (id: number, axis: number | null, minScales?: number[]) => {
    const t = graph.tensors[id];
    const q = quantizeSymmetric(t.value!, t.shape, axis, minScales);
    const spec: TensorSpec = {
      name: t.name, shape: t.shape, type: 'INT8', data: raw(q.values),
      quantization: { scale: q.scales, zeroPoint: q.scales.map(() => 0), quantizedDimension: axis ?? 0 },
    };
    return { spec, scales: q.scales };
  };

  const lowerOp = (op: IrOp): void => {
    const spec = getOpSpec(op.type);
    const w = spec.weights;
    const hasWeights = w !== undefined && graph.isConstant(op.inputs[w.input]) && graph.tensors[op.inputs[w.input]].value !== undefined;
    const quantizedOp = int8 && !floatOps.has(op);
    let version = quantizedOp ? spec.versions.int8 : spec.versions.float;
    const inputs = op.inputs.map((id) => {
      if (id < 0) return -1;
      if (graph.isConstant(id)) return -2;
      return quantizedOp ? asInt8(id) : asFloat(id);
    });

    if (quantizedOp && hasWeights) {
      const biasId = spec.bias !== undefined ? op.inputs[spec.bias] ?? -1 : -1;
      const inScale = params.get(op.inputs[0])?.scale ?? 1;
      const minScales = biasId >= 0 ? biasSafeWeightScales(graph.tensors[biasId].value!, inScale, w.axis !== null) : undefined;
      const wq = int8Weight(op.inputs[w.input], w.axis, minScales);
      inputs[w.input] = add(wq.spec);
      if (spec.bias !== undefined && biasId >= 0) {
        const bt = graph.tensors[biasId];
        const bq = quantizeBias(bt.value!, inScale, wq.scales);
        inputs[spec.bias] = add({
          name: bt.name, shape: bt.shape, type: 'INT32', data: raw(bq.values),
          quantization: { scale: bq.scales, zeroPoint: bq.scales.map(() => 0), quantizedDimension: 0 },
        });
      }
    } else if (o.mode === 'dynamic-int8' && hasWeights && (spec.versions.hybrid !== undefined || spec.dynamicByDequantize)
      && graph.tensors[op.inputs[w.input]].value!.length >= minElements) {
      const wt = graph.tensors[op.inputs[w.input]];
      const wq = int8Weight(op.inputs[w.input], w.axis);
      if (hybrid && !spec.dynamicByDequantize) {
        inputs[w.input] = add(wq.spec);
        version = spec.versions.hybrid ?? version;
      } else {
        inputs[w.input] = dequantized(`${wt.name}/dequantized`, wt.shape, { ...wq.spec, name: `${wt.name}/int8` }, 2);
      }
    }
    op.inputs.forEach((id, i) => {
      if (inputs[i] === -2) inputs[i] = constant(id, quantizedOp);
    });
    body.push({ op: op.type, version, inputs, outputs: op.outputs.map(naturalTensor), options: op.options });
  };

  const inputIdx = graph.inputs.map(naturalTensor);
  for (const op of graph.ops) lowerOp(op);
  const outputIdx = graph.outputs.map((id) => (floatIo ? asFloat(id) : asInt8(id)));

  return {
    description: o.description ?? `Condense export (${o.mode})`,
    tensors,
    operators: [...prologue, ...body],
    inputs: inputIdx,
    outputs: outputIdx,
  };
}
