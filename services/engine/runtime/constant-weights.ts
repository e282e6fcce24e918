// Rewrites a TFLite model so every conv/dense weight is a float32 constant. Arm NN 20.08's parser
// needs constant weights (it rejects DEQUANTIZE-fed filters) and has no hybrid int8 kernels, so
// float16 and dynamic-range files are run there with their stored (already rounded) weights
// expanded to float32 — what TFLite itself computes when it evaluates a DEQUANTIZE of a constant
// in Prepare. Hybrid ops lose their on-the-fly input quantization in this form.
import { fromFloat16Bits } from '../export/quantize.ts';
import type { TensorSpec, TfliteModelSpec } from '../export/tflite-model.ts';

function dequantizedValues(t: TensorSpec): Float32Array {
  const data = t.data!;
  if (t.type === 'FLOAT16') {
    const bits = new Uint16Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
    return Float32Array.from(bits, fromFloat16Bits);
  }
  if (t.type !== 'INT8') throw new Error(`cannot dequantize a constant of type ${t.type}`);
  const q = new Int8Array(data.buffer, data.byteOffset, data.byteLength);
  const scales = t.quantization?.scale ?? [1];
  const zeros = t.quantization?.zeroPoint ?? [0];
  const axis = t.quantization?.quantizedDimension ?? 0;
  const inner = t.shape.slice(axis + 1).reduce((a, d) => a * d, 1);
  const channels = scales.length;
  return Float32Array.from(q, (v, i) => {
    const c = channels === 1 ? 0 : Math.floor(i / inner) % channels;
    return (v - (zeros[c] ?? 0)) * scales[c];
  });
}

function floatConstant(t: TensorSpec, values: Float32Array, name = t.name): TensorSpec {
  return { name, shape: t.shape, type: 'FLOAT32', data: new Uint8Array(values.buffer) };
}

/** Returns the rewritten model and a list of what was rewritten (empty when nothing was). */
export function withConstantFloatWeights(spec: TfliteModelSpec): { spec: TfliteModelSpec; rewrites: string[] } {
  const tensors = spec.tensors.map((t) => ({ ...t }));
  const rewrites: string[] = [];
  const operators = spec.operators.filter((op) => {
    if (op.op !== 'DEQUANTIZE') return true;
    const src = tensors[op.inputs[0]];
    if (!src.data) return true;
    tensors[op.outputs[0]] = floatConstant(tensors[op.outputs[0]], dequantizedValues(src));
    rewrites.push(`folded DEQUANTIZE of constant '${src.name}' (${src.type})`);
    return false;
  }).map((op) => {
    const hybrid = ['CONV_2D', 'DEPTHWISE_CONV_2D', 'FULLY_CONNECTED'].includes(op.op)
      && tensors[op.inputs[0]].type === 'FLOAT32' && tensors[op.inputs[1]]?.type === 'INT8' && tensors[op.inputs[1]].data;
    if (!hybrid) return op;
    const w = tensors[op.inputs[1]];
    const idx = tensors.push(floatConstant(w, dequantizedValues(w), `${w.name}/float`)) - 1;
    rewrites.push(`expanded hybrid ${op.op} weights '${w.name}' to float32`);
    return { ...op, version: 1, inputs: op.inputs.map((i, k) => (k === 1 ? idx : i)) };
  });
  return { spec: { ...spec, tensors, operators }, rewrites };
}
