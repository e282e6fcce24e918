// A `.tflite` file as the uploaded model: its graph becomes a Keras functional config (the layers
// Condense trains and exports) and its constants that config's weights, converting TFLite's
// layouts to Keras' — CONV_2D filters OHWI → HWIO, DEPTHWISE_CONV_2D 1HW(I·M) → HWIM,
// FULLY_CONNECTED [out, in] → [in, out]. Fused activations become the layer's activation (or an
// Activation layer after ops Keras has none for). Quantized files (int8, dynamic-range, float16)
// are read with their weights dequantised — `scale · (q − zero_point)` per channel — and sparse
// constants (SparsityParameters + DENSIFY) densified: the model then computes what TFLite
// computes, in float. The result goes through the same config normalisation and weight checks as
// a Keras upload (keras-config.ts, build.ts).
import { fromFloat16Bits } from '../export/quantize.ts';
import { densify } from '../export/sparsity.ts';
import { Table, readTfliteModel } from '../export/tflite-reader.ts';
import type { ActivationName } from '../export/tflite-schema.ts';
import type { OperatorSpec, TensorSpec, TfliteModelSpec } from '../export/tflite-model.ts';
import * as flatbuffers from 'flatbuffers';
import { ModelImportError } from './errors.ts';
import { tfliteOpName } from './tflite-op-names.ts';
import type { LayerWeights, WeightValue } from './build.ts';

type Json = any;

/** Ops the importer turns into layers (QUANTIZE/DEQUANTIZE/DENSIFY are folded away). */
export const IMPORTABLE_TFLITE_OPS = [
  'CONV_2D', 'DEPTHWISE_CONV_2D', 'FULLY_CONNECTED', 'ADD', 'SUB', 'MUL', 'MAXIMUM', 'MINIMUM', 'AVERAGE_POOL_2D',
  'MAX_POOL_2D', 'MEAN', 'REDUCE_MAX', 'RESHAPE', 'SOFTMAX', 'PAD', 'CONCATENATION', 'RELU', 'RELU6', 'LOGISTIC', 'TANH',
  'ELU', 'HARD_SWISH', 'LEAKY_RELU', 'TRANSPOSE', 'QUANTIZE', 'DEQUANTIZE', 'DENSIFY',
] as const;
const IMPORTABLE = new Set<string>(IMPORTABLE_TFLITE_OPS);

export interface TfliteUpload {
  /** A Keras 2 style functional config (normalised like any Keras upload by the caller). */
  config: { class_name: 'Functional'; config: Json };
  weights: LayerWeights;
  /** Whether any weight was stored quantized (int8/uint8/int16 or float16): see `notes`. */
  quantized: boolean;
  notes: string[];
}

const TFL3 = 'TFL3';

export function isTflite(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && String.fromCharCode(...bytes.subarray(4, 8)) === TFL3;
}

/** Op names of the first subgraph, read leniently (any op code), and how many subgraphs there are. */
function opNames(bytes: Uint8Array): { ops: string[]; subgraphs: number } {
  const bb = new flatbuffers.ByteBuffer(bytes);
  const model = new Table(bb, bb.readInt32(0));
  const codes = model.tables(1).map((c) => tfliteOpName(Math.max(c.byte(0), c.int(3))));
  const subgraphs = model.tables(2);
  if (subgraphs.length === 0) throw new ModelImportError('the TFLite file has no subgraph');
  return { ops: subgraphs[0].tables(3).map((op) => codes[op.int(0)] ?? `operator code ${op.int(0)}`), subgraphs: subgraphs.length };
}

const product = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
const BYTES: Record<string, number> = { FLOAT32: 4, FLOAT16: 2, INT32: 4, UINT8: 1, INT8: 1, INT16: 2, INT64: 8 };

/** A constant's values as float (dequantised when it carries quantization parameters). */
function constantValues(t: TensorSpec): Float32Array {
  let data = t.data!;
  const width = BYTES[t.type];
  if (width === undefined) throw new ModelImportError(`constant '${t.name}' has type ${t.type}, which the importer cannot read`);
  if (t.sparsity) data = densify(t.sparsity, t.shape, data, width);
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const n = data.byteLength / width;
  const raw = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    switch (t.type) {
      case 'FLOAT32': raw[i] = view.getFloat32(4 * i, true); break;
      case 'FLOAT16': raw[i] = fromFloat16Bits(view.getUint16(2 * i, true)); break;
      case 'INT32': raw[i] = view.getInt32(4 * i, true); break;
      case 'INT16': raw[i] = view.getInt16(2 * i, true); break;
      case 'INT8': raw[i] = view.getInt8(i); break;
      case 'UINT8': raw[i] = view.getUint8(i); break;
      case 'INT64': raw[i] = Number(view.getBigInt64(8 * i, true)); break;
    }
  }
  const q = t.quantization;
  if (!q || t.type === 'FLOAT32' || t.type === 'FLOAT16' || q.scale.length === 0) return Float32Array.from(raw);
  const axis = q.quantizedDimension ?? 0;
  const inner = product(t.shape.slice(axis + 1));
  const channels = q.scale.length;
  return Float32Array.from(raw, (v, i) => {
    const c = channels === 1 ? 0 : Math.floor(i / inner) % channels;
    return (v - (q.zeroPoint[c] ?? 0)) * q.scale[c];
  });
}

const KERAS_ACTIVATION: Record<ActivationName, string | null> = { NONE: 'linear', RELU: 'relu', RELU6: 'relu6', TANH: 'tanh', RELU_N1_TO_1: null };

function transpose(values: Float32Array, shape: number[], perm: number[]): { values: Float32Array; shape: number[] } {
  const outShape = perm.map((p) => shape[p]);
  const inStrides = shape.map((_, i) => product(shape.slice(i + 1)));
  const out = new Float32Array(values.length);
  const idx = new Array<number>(shape.length).fill(0);
  for (let o = 0; o < out.length; o++) {
    let rem = o;
    for (let k = outShape.length - 1; k >= 0; k--) {
      idx[k] = rem % outShape[k];
      rem = Math.floor(rem / outShape[k]);
    }
    let src = 0;
    for (let k = 0; k < perm.length; k++) src += idx[k] * inStrides[perm[k]];
    out[o] = values[src];
  }
  return { values: out, shape: outShape };
}

/** Builds the functional config op by op (TFLite stores operators in execution order). */
class ConfigBuilder {
  readonly layers: Json[] = [];
  readonly weights: LayerWeights = new Map();
  /** Activation tensor index → [layer name, its output shape without batch]. */
  readonly produced = new Map<number, { layer: string; shape: number[] }>();
  /** Constant tensors (as floats), including DEQUANTIZE/DENSIFY outputs of constants. */
  readonly constants = new Map<number, { values: Float32Array; shape: number[] }>();
  private readonly used = new Set<string>();

  constructor(readonly spec: TfliteModelSpec) {}

  name(base: string): string {
    const clean = base.split(';')[0].split('/').filter(Boolean).slice(-2).join('_').replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 48) || 'layer';
    let name = clean;
    for (let i = 1; this.used.has(name); i++) name = `${clean}_${i}`;
    this.used.add(name);
    return name;
  }

  input(index: number, op: OperatorSpec): { layer: string; shape: number[] } {
    const p = this.produced.get(index);
    if (!p) throw new ModelImportError(`${op.op} reads tensor '${this.spec.tensors[index]?.name}', which is neither an input, a constant nor an earlier op's output`);
    return p;
  }

  constant(index: number): { values: Float32Array; shape: number[] } | undefined {
    if (index < 0) return undefined;
    const known = this.constants.get(index);
    if (known) return known;
    const t = this.spec.tensors[index];
    if (!t?.data) return undefined;
    const c = { values: constantValues(t), shape: t.shape };
    this.constants.set(index, c);
    return c;
  }

  add(className: string, base: string, config: Json, inputs: string[], outShape: number[], out: number | null, weights?: WeightValue[]): string {
    const name = this.name(base);
    this.layers.push({
      class_name: className, name, config: { name, trainable: true, dtype: 'float32', ...config },
      inbound_nodes: inputs.length ? [inputs.map((i) => [i, 0, 0, {}])] : [],
    });
    if (weights) this.weights.set(name, weights);
    if (out !== null) this.produced.set(out, { layer: name, shape: outShape });
    return name;
  }

  /** An op whose fused activation Keras cannot carry: the op, then an Activation layer. */
  withActivation(activation: ActivationName, op: OperatorSpec, add: (out: number | null) => string): void {
    const keras = this.activation(activation, op);
    if (keras === 'linear') {
      add(op.outputs[0]);
      return;
    }
    const layer = add(null);
    const shape = this.shapeOf(op.outputs[0]);
    this.add('Activation', `${layer}_${keras}`, { activation: keras }, [layer], shape, op.outputs[0]);
  }

  activation(a: ActivationName, op: OperatorSpec): string {
    const keras = KERAS_ACTIVATION[a];
    if (!keras) throw new ModelImportError(`${op.op} '${this.spec.tensors[op.outputs[0]].name}' has fused activation ${a}, which Keras layers do not have`);
    return keras;
  }

  shapeOf(index: number): number[] {
    return this.spec.tensors[index].shape.slice(1);
  }
}

function convert(b: ConfigBuilder, op: OperatorSpec): void {
  const t = b.spec.tensors;
  const outName = t[op.outputs[0]]?.name ?? op.op;
  const outShape = () => b.shapeOf(op.outputs[0]);
  const o = op.options as Json;
  switch (op.op) {
    case 'QUANTIZE':
    case 'DEQUANTIZE':
    case 'DENSIFY': {
      const c = b.constant(op.inputs[0]);
      if (c) b.constants.set(op.outputs[0], { values: c.values, shape: t[op.outputs[0]].shape });
      else b.produced.set(op.outputs[0], b.input(op.inputs[0], op));
      return;
    }
    case 'CONV_2D':
    case 'DEPTHWISE_CONV_2D': {
      const x = b.input(op.inputs[0], op);
      const w = b.constant(op.inputs[1]);
      if (!w) throw new ModelImportError(`${op.op} '${outName}' has non-constant weights`);
      const bias = b.constant(op.inputs[2] ?? -1);
      const [, kh, kw] = w.shape;
      const common = {
        kernel_size: [kh, kw], strides: [o.strideH, o.strideW], padding: o.padding === 'SAME' ? 'same' : 'valid', data_format: 'channels_last',
        dilation_rate: [o.dilationH, o.dilationW], activation: b.activation(o.activation, op), use_bias: Boolean(bias),
      };
      const weights: WeightValue[] = [];
      if (op.op === 'CONV_2D') {
        const inChannels = x.shape[x.shape.length - 1];
        if (w.shape[3] !== inChannels) throw new ModelImportError(`CONV_2D '${outName}' is a grouped convolution (${w.shape[3]} of ${inChannels} input channels per filter), which Keras Conv2D cannot hold`);
        weights.push(transpose(w.values, w.shape, [1, 2, 3, 0]));
        if (bias) weights.push({ values: bias.values, shape: [w.shape[0]] });
        b.add('Conv2D', outName, { filters: w.shape[0], ...common }, [x.layer], outShape(), op.outputs[0], weights);
      } else {
        const inChannels = x.shape[x.shape.length - 1];
        const multiplier = w.shape[3] / inChannels;
        weights.push({ values: w.values, shape: [kh, kw, inChannels, multiplier] });
        if (bias) weights.push({ values: bias.values, shape: [w.shape[3]] });
        b.add('DepthwiseConv2D', outName, { depth_multiplier: multiplier, ...common }, [x.layer], outShape(), op.outputs[0], weights);
      }
      return;
    }
    case 'FULLY_CONNECTED': {
      let x = b.input(op.inputs[0], op);
      const w = b.constant(op.inputs[1]);
      if (!w) throw new ModelImportError(`FULLY_CONNECTED '${outName}' has non-constant weights`);
      const bias = b.constant(op.inputs[2] ?? -1);
      const [units, inputs] = w.shape;
      if (x.shape.length > 1 && !o.keepNumDims) {
        // TFLite flattens the input to [-1, in]; Keras needs the Flatten spelled out.
        if (product(x.shape) !== inputs) throw new ModelImportError(`FULLY_CONNECTED '${outName}' reads [${x.shape}] as rows of ${inputs}, which Keras Dense cannot`);
        const flat = b.add('Flatten', `${outName}_flatten`, {}, [x.layer], [inputs], null);
        x = { layer: flat, shape: [inputs] };
      }
      const weights: WeightValue[] = [transpose(w.values, w.shape, [1, 0])];
      if (bias) weights.push({ values: bias.values, shape: [units] });
      b.add('Dense', outName, { units, activation: b.activation(o.activation, op), use_bias: Boolean(bias) }, [x.layer], outShape(), op.outputs[0], weights);
      return;
    }
    case 'ADD':
    case 'SUB':
    case 'MUL':
    case 'MAXIMUM':
    case 'MINIMUM': {
      const constIndex = op.inputs.findIndex((i) => b.constant(i));
      const activation: ActivationName = o?.activation ?? 'NONE';
      if (constIndex < 0) {
        const inputs = op.inputs.map((i) => b.input(i, op).layer);
        const cls = { ADD: 'Add', SUB: 'Subtract', MUL: 'Multiply', MAXIMUM: 'Maximum', MINIMUM: 'Minimum' }[op.op];
        b.withActivation(activation, op, (out) => b.add(cls, outName, {}, inputs, outShape(), out));
        return;
      }
      constantOperand(b, op, constIndex, activation, outName);
      return;
    }
    case 'AVERAGE_POOL_2D':
    case 'MAX_POOL_2D': {
      const x = b.input(op.inputs[0], op);
      const cls = op.op === 'MAX_POOL_2D' ? 'MaxPooling2D' : 'AveragePooling2D';
      const config = { pool_size: [o.filterH, o.filterW], strides: [o.strideH, o.strideW], padding: o.padding === 'SAME' ? 'same' : 'valid', data_format: 'channels_last' };
      b.withActivation(o.activation, op, (out) => b.add(cls, outName, config, [x.layer], outShape(), out));
      return;
    }
    case 'MEAN':
    case 'REDUCE_MAX': {
      const x = b.input(op.inputs[0], op);
      const axes = [...(b.constant(op.inputs[1])?.values ?? [])].map((a) => (a < 0 ? a + x.shape.length + 1 : a)).sort();
      const spatial = x.shape.length === 3 ? '1,2' : x.shape.length === 2 ? '1' : '';
      if (axes.join(',') !== spatial) throw new ModelImportError(`${op.op} '${outName}' reduces axes [${axes}] of a rank-${x.shape.length + 1} tensor; only the spatial axes (global pooling) are supported`);
      const cls = `Global${op.op === 'MEAN' ? 'Average' : 'Max'}Pooling${x.shape.length - 1}D`;
      const channels = x.shape[x.shape.length - 1];
      if (!o?.keepDims) {
        b.add(cls, outName, { data_format: 'channels_last' }, [x.layer], outShape(), op.outputs[0]);
        return;
      }
      const pooled = b.add(cls, outName, { data_format: 'channels_last' }, [x.layer], [channels], null);
      b.add('Reshape', `${outName}_keepdims`, { target_shape: outShape() }, [pooled], outShape(), op.outputs[0]);
      return;
    }
    case 'RESHAPE': {
      const x = b.input(op.inputs[0], op);
      const shape = outShape();
      if (t[op.outputs[0]].shape[0] !== 1 && t[op.inputs[0]].shape[0] !== t[op.outputs[0]].shape[0]) throw new ModelImportError(`RESHAPE '${outName}' changes the batch dimension`);
      if (shape.length === 1 && x.shape.length > 1) b.add('Flatten', outName, {}, [x.layer], shape, op.outputs[0]);
      else b.add('Reshape', outName, { target_shape: shape }, [x.layer], shape, op.outputs[0]);
      return;
    }
    case 'SOFTMAX': {
      const x = b.input(op.inputs[0], op);
      if (o && Math.abs(o.beta - 1) > 1e-6) throw new ModelImportError(`SOFTMAX '${outName}' has beta ${o.beta}; only beta 1 is supported`);
      b.add('Softmax', outName, { axis: -1 }, [x.layer], outShape(), op.outputs[0]);
      return;
    }
    case 'PAD': {
      const x = b.input(op.inputs[0], op);
      const p = b.constant(op.inputs[1]);
      const v = p ? [...p.values] : [];
      if (x.shape.length !== 3 || v.length !== 8 || v[0] || v[1]) throw new ModelImportError(`PAD '${outName}' pads other than the spatial and channel axes of an NHWC tensor (paddings [${v}])`);
      const spatial = v[2] || v[3] || v[4] || v[5];
      const channels = v[6] || v[7];
      let layer = x.layer;
      if (spatial) {
        const shape = channels ? [x.shape[0] + v[2] + v[3], x.shape[1] + v[4] + v[5], x.shape[2]] : outShape();
        layer = b.add('ZeroPadding2D', outName, { padding: [[v[2], v[3]], [v[4], v[5]]], data_format: 'channels_last' }, [layer], shape, channels ? null : op.outputs[0]);
      }
      if (channels) {
        // Zero channels before/after (MediaPipe's BlazeFace widens residuals this way): no Keras layer
        // pads the channel axis, but a frozen 1×1 convolution with an identity block does exactly that.
        const inC = x.shape[2];
        const outC = inC + v[6] + v[7];
        const kernel = new Float32Array(inC * outC);
        for (let c = 0; c < inC; c++) kernel[c * outC + c + v[6]] = 1;
        b.add('Conv2D', `${outName}_channels`, { filters: outC, kernel_size: [1, 1], strides: [1, 1], padding: 'valid', data_format: 'channels_last', dilation_rate: [1, 1], activation: 'linear', use_bias: false, trainable: false },
          [layer], outShape(), op.outputs[0], [{ values: kernel, shape: [1, 1, inC, outC] }]);
      }
      if (!spatial && !channels) b.produced.set(op.outputs[0], x);
      return;
    }
    case 'CONCATENATION': {
      const inputs = op.inputs.map((i) => b.input(i, op));
      const rank = inputs[0].shape.length + 1;
      const axis = o.axis < 0 ? o.axis + rank : o.axis;
      if (axis === 0) throw new ModelImportError(`CONCATENATION '${outName}' concatenates along the batch axis`);
      b.withActivation(o.activation, op, (out) => b.add('Concatenate', outName, { axis: axis === rank - 1 ? -1 : axis }, inputs.map((i) => i.layer), outShape(), out));
      return;
    }
    case 'RELU':
    case 'RELU6':
    case 'LOGISTIC':
    case 'TANH':
    case 'ELU':
    case 'HARD_SWISH': {
      const x = b.input(op.inputs[0], op);
      const activation = { RELU: 'relu', RELU6: 'relu6', LOGISTIC: 'sigmoid', TANH: 'tanh', ELU: 'elu', HARD_SWISH: 'hard_swish' }[op.op];
      b.add('Activation', outName, { activation }, [x.layer], outShape(), op.outputs[0]);
      return;
    }
    case 'LEAKY_RELU': {
      const x = b.input(op.inputs[0], op);
      b.add('LeakyReLU', outName, { alpha: o.alpha }, [x.layer], outShape(), op.outputs[0]);
      return;
    }
    case 'TRANSPOSE': {
      const x = b.input(op.inputs[0], op);
      const perm = [...(b.constant(op.inputs[1])?.values ?? [])];
      if (perm[0] !== 0) throw new ModelImportError(`TRANSPOSE '${outName}' moves the batch axis (perm [${perm}])`);
      b.add('Permute', outName, { dims: perm.slice(1) }, [x.layer], outShape(), op.outputs[0]);
      return;
    }
    default:
      throw new ModelImportError(`TFLite op ${op.op} ('${outName}') is not supported`);
  }
}

/**
 * `x ∘ c` with a constant `c` (Rescaling/Normalization and unfolded batch norm as TFLite files
 * carry them): a scalar becomes Rescaling, a per-channel vector on an NHWC tensor a 1×1
 * DepthwiseConv2D (multiplier in the kernel, addend in the bias).
 */
function constantOperand(b: ConfigBuilder, op: OperatorSpec, constIndex: number, activation: ActivationName, outName: string): void {
  const xIndex = op.inputs[1 - constIndex];
  const x = b.input(xIndex, op);
  const c = b.constant(op.inputs[constIndex])!;
  const n = c.values.length;
  const channels = x.shape[x.shape.length - 1];
  if (op.op === 'SUB' && constIndex === 0) throw new ModelImportError(`SUB '${outName}' subtracts a tensor from a constant`);
  if (op.op !== 'ADD' && op.op !== 'SUB' && op.op !== 'MUL') throw new ModelImportError(`${op.op} '${outName}' with a constant operand is not supported`);
  const sign = op.op === 'SUB' ? -1 : 1;
  const shape = b.shapeOf(op.outputs[0]);
  if (n === 1) {
    const config = op.op === 'MUL' ? { scale: c.values[0], offset: 0 } : { scale: 1, offset: sign * c.values[0] };
    b.withActivation(activation, op, (out) => b.add('Rescaling', outName, config, [x.layer], shape, out));
    return;
  }
  if (n !== channels || x.shape.length !== 3 || c.shape.slice(0, -1).some((d) => d !== 1)) {
    throw new ModelImportError(`${op.op} '${outName}' with a constant of shape [${c.shape}] on [${x.shape}] is not supported (only scalars and per-channel vectors on NHWC tensors)`);
  }
  const kernel = op.op === 'MUL' ? Float32Array.from(c.values) : new Float32Array(n).fill(1);
  const weights: WeightValue[] = [{ values: kernel, shape: [1, 1, n, 1] }];
  if (op.op !== 'MUL') weights.push({ values: Float32Array.from(c.values, (v) => sign * v), shape: [n] });
  const config = {
    kernel_size: [1, 1], strides: [1, 1], padding: 'valid', data_format: 'channels_last', dilation_rate: [1, 1],
    depth_multiplier: 1, activation: b.activation(activation, op), use_bias: op.op !== 'MUL',
  };
  b.add('DepthwiseConv2D', outName, config, [x.layer], shape, op.outputs[0], weights);
}

/** Reads a .tflite upload as a Keras functional config and its weights. */
export function readTfliteUpload(bytes: Uint8Array, label: string): TfliteUpload {
  let spec: TfliteModelSpec;
  try {
    const { ops, subgraphs } = opNames(bytes);
    const unsupported = [...new Set(ops.filter((op) => !IMPORTABLE.has(op)))];
    if (unsupported.length > 0) {
      throw new ModelImportError(`${label} uses TFLite op${unsupported.length > 1 ? 's' : ''} ${unsupported.join(', ')}, which Condense cannot turn into trainable layers; supported ops: ${IMPORTABLE_TFLITE_OPS.filter((o) => !['QUANTIZE', 'DEQUANTIZE', 'DENSIFY'].includes(o)).join(', ')} (plus QUANTIZE, DEQUANTIZE and DENSIFY around them)`);
    }
    if (subgraphs > 1) throw new ModelImportError(`${label} has ${subgraphs} subgraphs (control flow); only single-subgraph models can be imported`);
    spec = readTfliteModel(bytes);
  } catch (error) {
    if (error instanceof ModelImportError) throw error;
    throw new ModelImportError(`${label} is not a readable TFLite file: ${(error as Error).message}`);
  }
  if (spec.inputs.length !== 1) throw new ModelImportError(`${label} has ${spec.inputs.length} inputs; Condense compresses single-input models`);
  const b = new ConfigBuilder(spec);
  const input = spec.tensors[spec.inputs[0]];
  if (input.type !== 'FLOAT32' && input.type !== 'INT8' && input.type !== 'UINT8') throw new ModelImportError(`${label}: input '${input.name}' is ${input.type}; only float (or quantized float) image/feature inputs can be imported`);
  const notes: string[] = [];
  if (input.type !== 'FLOAT32') notes.push(`input '${input.name}' is ${input.type} in the file: the imported model takes the real values it stands for (scale · (q − zero_point)), as float32`);
  const inputShape = input.shape.slice(1);
  b.add('InputLayer', input.name || 'input', { batch_input_shape: [null, ...inputShape], sparse: false }, [], inputShape, spec.inputs[0]);
  for (const op of spec.operators) convert(b, op);
  const outputs = spec.outputs.map((i) => {
    const p = b.produced.get(i);
    if (!p) throw new ModelImportError(`${label}: output '${spec.tensors[i].name}' is not computed from the input`);
    return p.layer;
  });
  const quantizedTypes = new Set(spec.tensors.filter((t) => t.data && t.type !== 'FLOAT32' && t.type !== 'INT32').map((t) => t.type));
  const quantized = quantizedTypes.size > 0 || spec.tensors.some((t) => t.data && t.type === 'INT32' && t.quantization);
  if (quantized) {
    notes.push(`${label} stores its weights quantized (${[...quantizedTypes].join(', ') || 'INT32 biases'}): they were dequantised to float32 (scale · (q − zero_point)); the model computes what the file computes and serves as a distillation teacher (inference only) — it cannot regain the precision its weights lost, so train or export candidates from a float32 file where one exists`);
  }
  if (spec.tensors.some((t) => t.sparsity)) notes.push(`${label} stores sparse constants (DENSIFY): they were densified`);
  return {
    config: {
      class_name: 'Functional',
      config: { name: 'tflite_model', layers: b.layers, input_layers: [[b.produced.get(spec.inputs[0])!.layer, 0, 0]], output_layers: outputs.map((o) => [o, 0, 0]) },
    },
    weights: b.weights,
    quantized,
    notes,
  };
}
