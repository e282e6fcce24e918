// Sparse encoding of pruned weights (issue #14 item 4): a CONV_2D / DEPTHWISE_CONV_2D /
// FULLY_CONNECTED weight constant with enough zeros is stored in TFLite's sparse tensor format
// (sparsity.ts: every dimension DENSE but the last, SPARSE_CSR) and restored by a DENSIFY op,
// which TFLite runs once, at the first invocation (its output is a persistent tensor). Only
// constants whose encoding is smaller than their dense bytes are rewritten; quantization
// parameters stay on the dense tensor DENSIFY writes, and are copied to the sparse one.
import { encodeLastDimCsr, sparsityOverheadBytes } from './sparsity.ts';
import type { OperatorSpec, TensorSpec, TfliteModelSpec } from './tflite-model.ts';

const WEIGHT_OPS = new Set(['CONV_2D', 'DEPTHWISE_CONV_2D', 'FULLY_CONNECTED']);
const ELEMENT_BYTES: Partial<Record<TensorSpec['type'], number>> = { FLOAT32: 4, INT8: 1 };
/** Bytes a sparse constant adds beyond its index vectors: the extra tensor, its buffer entry and the DENSIFY op. */
const PER_TENSOR_OVERHEAD = 160;

export interface SparseWeightsResult {
  spec: TfliteModelSpec;
  /** Names of the weight constants now stored sparse. */
  sparseTensors: string[];
}

export function sparsifyWeights(spec: TfliteModelSpec): SparseWeightsResult {
  const tensors = spec.tensors.map((t) => ({ ...t }));
  const densify: OperatorSpec[] = [];
  const sparseTensors: string[] = [];
  const done = new Set<number>();
  for (const op of spec.operators) {
    if (!WEIGHT_OPS.has(op.op)) continue;
    const index = op.inputs[1];
    const w = tensors[index];
    const width = w ? ELEMENT_BYTES[w.type] : undefined;
    if (done.has(index) || !w?.data || !width || w.sparsity) continue;
    // int8 weights are symmetric (zero point 0): a stored 0 is a real 0.
    if (w.quantization?.zeroPoint.some((z) => z !== 0)) continue;
    const encoded = encodeLastDimCsr(w.data, w.shape, width, w.type === 'FLOAT32');
    if (encoded.data.length + sparsityOverheadBytes(encoded.sparsity) + PER_TENSOR_OVERHEAD >= w.data.length) continue;
    const sparseIndex = tensors.push({
      name: `${w.name}/sparse`, shape: w.shape, type: w.type, data: encoded.data, sparsity: encoded.sparsity,
      ...(w.quantization ? { quantization: w.quantization } : {}),
    }) - 1;
    delete tensors[index].data;
    densify.push({ op: 'DENSIFY', version: 1, inputs: [sparseIndex], outputs: [index] });
    sparseTensors.push(w.name);
    done.add(index);
  }
  return { spec: { ...spec, tensors, operators: [...densify, ...spec.operators] }, sparseTensors };
}
