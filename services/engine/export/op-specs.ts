// What we know about each TFLite builtin op we emit: a float reference implementation in tfjs
// (used to calibrate int8 ranges on the IR graph), its op versions, which constant inputs are
// weights/biases, and how its int8 output must be parameterised. A registry, so a plugin that
// emits another builtin op (e.g. LSH_PROJECTION) can describe it too.
import { tf } from '../backend/index.ts';
import type { IrGraph, IrOp } from './ir.ts';
import type { OperatorOptions } from './tflite-model.ts';
import type { ActivationName, BuiltinOperatorName } from './tflite-schema.ts';

export interface OpSpec {
  /** Float reference implementation over a batch. `graph` gives access to constant tensors. */
  run(inputs: tf.Tensor[], op: IrOp, graph: IrGraph): tf.Tensor;
  versions: { float: number; int8: number; hybrid?: number };
  /** Constant input quantized as weights: per-channel along `axis`, per-tensor when null. */
  weights?: { input: number; axis: number | null };
  /** Constant input holding the bias (int32 with scale input×weight in int8 mode). */
  bias?: number;
  /**
   * int8 output parameters: 'calibrated' (own range), 'tied' (same scale/zero point as its
   * non-constant inputs: the kernel does not rescale), fixed values, or 'float' (no int8 kernel:
   * in int8 models the op runs in float between DEQUANTIZE and QUANTIZE), or 'weights' (the output
   * holds rows of the per-tensor int8 weights and shares their scale, zero point 0: GATHER).
   */
  int8Output: 'calibrated' | 'tied' | { scale: number; zeroPoint: number } | 'float' | 'weights';
  /** Has a fused_activation_function option a following RELU/RELU6 can fold into. */
  fusesActivation?: boolean;
  /** Non-float inputs the lowering must not quantize (shape/axis tensors, gather indices). */
  intInputs?: number[];
  /** dynamic-int8: store the weights int8 and DEQUANTIZE them to float at load (no hybrid kernel). */
  dynamicByDequantize?: boolean;
}

const specs = new Map<BuiltinOperatorName, OpSpec>();

export function registerOpSpec(type: BuiltinOperatorName, spec: OpSpec): void {
  specs.set(type, spec);
}

/** The spec of `type`, or undefined for an op the exporter does not know. */
export function getOpSpecIfAny(type: string): OpSpec | undefined {
  return specs.get(type as BuiltinOperatorName);
}

export function getOpSpec(type: BuiltinOperatorName): OpSpec {
  const spec = specs.get(type);
  if (!spec) throw new Error(`no op spec registered for TFLite op ${type}`);
  return spec;
}

function activate(x: tf.Tensor, activation: ActivationName): tf.Tensor {
  switch (activation) {
    case 'NONE': return x;
    case 'RELU': return tf.relu(x);
    case 'RELU6': return tf.relu6(x);
    case 'RELU_N1_TO_1': return tf.clipByValue(x, -1, 1);
    case 'TANH': return tf.tanh(x);
  }
}

function opts<K extends OperatorOptions['kind']>(op: IrOp, kind: K): Extract<OperatorOptions, { kind: K }> {
  if (!op.options || op.options.kind !== kind) throw new Error(`${op.type} needs ${kind}`);
  return op.options as Extract<OperatorOptions, { kind: K }>;
}

function padding(p: 'SAME' | 'VALID'): 'same' | 'valid' {
  return p === 'SAME' ? 'same' : 'valid';
}

registerOpSpec('CONV_2D', {
  versions: { float: 1, int8: 3, hybrid: 5 },
  weights: { input: 1, axis: 0 },
  bias: 2,
  int8Output: 'calibrated',
  fusesActivation: true,
  run([x, w, b], op) {
    const o = opts(op, 'Conv2DOptions');
    const filter = tf.transpose(w, [1, 2, 3, 0]) as tf.Tensor4D; // OHWI → HWIO
    const y = tf.conv2d(x as tf.Tensor4D, filter, [o.strideH, o.strideW], padding(o.padding), 'NHWC', [o.dilationH, o.dilationW]);
    return activate(b ? tf.add(y, b) : y, o.activation);
  },
});

registerOpSpec('DEPTHWISE_CONV_2D', {
  versions: { float: 1, int8: 3, hybrid: 6 },
  weights: { input: 1, axis: 3 },
  bias: 2,
  int8Output: 'calibrated',
  fusesActivation: true,
  run([x, w, b], op) {
    const o = opts(op, 'DepthwiseConv2DOptions');
    const [, kh, kw, channels] = w.shape;
    const filter = tf.reshape(w, [kh, kw, channels / o.depthMultiplier, o.depthMultiplier]) as tf.Tensor4D;
    const y = tf.depthwiseConv2d(x as tf.Tensor4D, filter, [o.strideH, o.strideW], padding(o.padding), 'NHWC', [o.dilationH, o.dilationW]);
    return activate(b ? tf.add(y, b) : y, o.activation);
  },
});

registerOpSpec('FULLY_CONNECTED', {
  versions: { float: 1, int8: 4, hybrid: 3 },
  weights: { input: 1, axis: null },
  bias: 2,
  int8Output: 'calibrated',
  fusesActivation: true,
  run([x, w, b], op) {
    const o = opts(op, 'FullyConnectedOptions');
    const x2 = tf.reshape(x, [-1, w.shape[1] as number]);
    const y = tf.matMul(x2 as tf.Tensor2D, w as tf.Tensor2D, false, true);
    return activate(b ? tf.add(y, b) : y, o.activation);
  },
});

for (const type of ['MAX_POOL_2D', 'AVERAGE_POOL_2D'] as const) {
  registerOpSpec(type, {
    versions: { float: 1, int8: 2 },
    int8Output: 'tied',
    fusesActivation: true,
    run([x], op) {
      const o = opts(op, 'Pool2DOptions');
      const pool = type === 'MAX_POOL_2D' ? tf.maxPool : tf.avgPool;
      return activate(pool(x as tf.Tensor4D, [o.filterH, o.filterW], [o.strideH, o.strideW], padding(o.padding)), o.activation);
    },
  });
}

registerOpSpec('MEAN', {
  versions: { float: 1, int8: 2 },
  int8Output: 'calibrated',
  intInputs: [1],
  run([x], op, graph) {
    const o = opts(op, 'ReducerOptions');
    const axes = Array.from(graph.tensors[op.inputs[1]].intValue ?? []);
    return tf.mean(x, axes, o.keepDims);
  },
});

for (const [type, kind, fn] of [
  ['ADD', 'AddOptions', tf.add],
  ['SUB', 'SubOptions', tf.sub],
  ['MUL', 'MulOptions', tf.mul],
] as const) {
  registerOpSpec(type, {
    versions: { float: 1, int8: 2 },
    int8Output: 'calibrated',
    fusesActivation: true,
    run([a, b], op) {
      const o = opts(op, kind);
      return activate(fn(a, b), o.activation);
    },
  });
}

registerOpSpec('CONCATENATION', {
  versions: { float: 1, int8: 2 },
  int8Output: 'tied',
  fusesActivation: true,
  run(inputs, op) {
    const o = opts(op, 'ConcatenationOptions');
    return activate(tf.concat(inputs, o.axis), o.activation);
  },
});

registerOpSpec('TRANSPOSE_CONV', {
  // Inputs: output shape (int32), weights [out, kh, kw, in] (per output channel in int8), input.
  versions: { float: 1, int8: 2 },
  weights: { input: 1, axis: 0 },
  int8Output: 'calibrated',
  intInputs: [0],
  dynamicByDequantize: true,
  run([, w, x], op, graph) {
    const o = opts(op, 'TransposeConvOptions');
    const [, h, wd, c] = Array.from(graph.tensors[op.inputs[0]].intValue ?? []);
    const filter = tf.transpose(w, [1, 2, 0, 3]) as tf.Tensor4D; // OHWI → [kh, kw, out, in]
    return tf.conv2dTranspose(x as tf.Tensor4D, filter, [x.shape[0], h, wd, c], [o.strideH, o.strideW], padding(o.padding));
  },
});

registerOpSpec('RESHAPE', {
  versions: { float: 1, int8: 1 },
  int8Output: 'tied',
  intInputs: [1],
  run([x], op, graph) {
    const shape = Array.from(graph.tensors[op.inputs[1]].intValue ?? []);
    return tf.reshape(x, shape);
  },
});

registerOpSpec('SOFTMAX', {
  versions: { float: 1, int8: 2 },
  int8Output: { scale: 1 / 256, zeroPoint: -128 },
  run([x], op) {
    const o = opts(op, 'SoftmaxOptions');
    return tf.softmax(o.beta === 1 ? x : tf.mul(x, o.beta));
  },
});

registerOpSpec('LOGISTIC', {
  versions: { float: 1, int8: 2 },
  int8Output: { scale: 1 / 256, zeroPoint: -128 },
  run: ([x]) => tf.sigmoid(x),
});

registerOpSpec('TANH', {
  versions: { float: 1, int8: 2 },
  int8Output: { scale: 1 / 128, zeroPoint: 0 },
  run: ([x]) => tf.tanh(x),
});

registerOpSpec('RELU', {
  versions: { float: 1, int8: 2 },
  int8Output: 'calibrated',
  run: ([x]) => tf.relu(x),
});

registerOpSpec('RELU6', {
  versions: { float: 1, int8: 2 },
  int8Output: 'calibrated',
  run: ([x]) => tf.relu6(x),
});
