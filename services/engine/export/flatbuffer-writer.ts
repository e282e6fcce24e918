// Serializes a TfliteModelSpec into a .tflite flatbuffer, written by hand on the `flatbuffers`
// Builder. Field slots follow the table definitions in TFLite's schema.fbs (slot = field order;
// a union takes two slots: its type byte, then its value).
import * as flatbuffers from 'flatbuffers';
import {
  ActivationFunction, BuiltinOperator, BuiltinOptions, DimensionType, FILE_IDENTIFIER, Padding, SCHEMA_VERSION, SparseIndexVector, TensorType,
} from './tflite-schema.ts';
import type { OperatorOptions, QuantizationSpec, TensorSpec, TfliteModelSpec } from './tflite-model.ts';
import { METADATA_BUFFER_NAME } from './tflite-metadata.ts';
import type { SparsitySpec } from './sparsity.ts';

type Offset = flatbuffers.Offset;

/** Buffer data is 16-byte aligned so weights can be memory-mapped and read in place. */
const BUFFER_ALIGNMENT = 16;

function int32Vector(b: flatbuffers.Builder, values: readonly number[]): Offset {
  b.startVector(4, values.length, 4);
  for (let i = values.length - 1; i >= 0; i--) b.addInt32(values[i]);
  return b.endVector();
}

function float32Vector(b: flatbuffers.Builder, values: readonly number[]): Offset {
  b.startVector(4, values.length, 4);
  for (let i = values.length - 1; i >= 0; i--) b.addFloat32(values[i]);
  return b.endVector();
}

function int64Vector(b: flatbuffers.Builder, values: readonly number[]): Offset {
  b.startVector(8, values.length, 8);
  for (let i = values.length - 1; i >= 0; i--) b.addInt64(BigInt(values[i]));
  return b.endVector();
}

function offsetVector(b: flatbuffers.Builder, offsets: readonly Offset[]): Offset {
  b.startVector(4, offsets.length, 4);
  for (let i = offsets.length - 1; i >= 0; i--) b.addOffset(offsets[i]);
  return b.endVector();
}

function alignedBytes(b: flatbuffers.Builder, data: Uint8Array): Offset {
  b.startVector(1, data.length, BUFFER_ALIGNMENT);
  // Same as Builder.createByteVector, but with our alignment (its internals are not typed public).
  const raw = b as unknown as { bb: flatbuffers.ByteBuffer; space: number };
  raw.space -= data.length;
  raw.bb.setPosition(raw.space);
  raw.bb.bytes().set(data, raw.space);
  return b.endVector();
}

/** Appends the metadata buffer and returns Model.metadata: [Metadata { name: "TFLITE_METADATA", buffer }]. */
function writeMetadataEntry(b: flatbuffers.Builder, metadata: Uint8Array, bufferOffsets: Offset[]): Offset {
  const data = alignedBytes(b, metadata);
  b.startObject(3);
  b.addFieldOffset(0, data, 0);
  const index = bufferOffsets.push(b.endObject()) - 1;
  const name = b.createString(METADATA_BUFFER_NAME);
  b.startObject(2);
  b.addFieldOffset(0, name, 0);
  b.addFieldInt32(1, index, 0);
  return offsetVector(b, [b.endObject()]);
}

function writeQuantization(b: flatbuffers.Builder, q: QuantizationSpec): Offset {
  const scale = float32Vector(b, q.scale);
  const zeroPoint = int64Vector(b, q.zeroPoint);
  b.startObject(7);
  b.addFieldOffset(2, scale, 0);
  b.addFieldOffset(3, zeroPoint, 0);
  b.addFieldInt32(6, q.quantizedDimension ?? 0, 0);
  return b.endObject();
}

/** A SparseIndexVector in the narrowest table that holds its values; returns [union type, offset]. */
function writeIndexVector(b: flatbuffers.Builder, values: readonly number[]): [number, Offset] {
  const max = values.reduce((m, v) => Math.max(m, v), 0);
  const [type, width] = max < 256 ? [SparseIndexVector.Uint8Vector, 1] : max < 65536 ? [SparseIndexVector.Uint16Vector, 2] : [SparseIndexVector.Int32Vector, 4];
  b.startVector(width, values.length, 4); // force_align: 4
  for (let i = values.length - 1; i >= 0; i--) {
    if (width === 1) b.addInt8(values[i]);
    else if (width === 2) b.addInt16(values[i]);
    else b.addInt32(values[i]);
  }
  const vector = b.endVector();
  b.startObject(1);
  b.addFieldOffset(0, vector, 0);
  return [type, b.endObject()];
}

function writeSparsity(b: flatbuffers.Builder, s: SparsitySpec): Offset {
  const dims = s.dimMetadata.map((d) => {
    if (d.format === 'DENSE') {
      b.startObject(6);
      b.addFieldInt8(0, DimensionType.DENSE, 0);
      b.addFieldInt32(1, d.denseSize, 0);
      return b.endObject();
    }
    const [segType, segments] = writeIndexVector(b, d.segments);
    const [idxType, indices] = writeIndexVector(b, d.indices);
    b.startObject(6);
    b.addFieldInt8(0, DimensionType.SPARSE_CSR, 0);
    b.addFieldInt8(2, segType, 0);
    b.addFieldOffset(3, segments, 0);
    b.addFieldInt8(4, idxType, 0);
    b.addFieldOffset(5, indices, 0);
    return b.endObject();
  });
  const order = int32Vector(b, s.traversalOrder);
  const blockMap = s.blockMap?.length ? int32Vector(b, s.blockMap) : 0;
  const dimsVec = offsetVector(b, dims);
  b.startObject(3);
  b.addFieldOffset(0, order, 0);
  if (blockMap) b.addFieldOffset(1, blockMap, 0);
  b.addFieldOffset(2, dimsVec, 0);
  return b.endObject();
}

function writeTensor(b: flatbuffers.Builder, t: TensorSpec, bufferIndex: number): Offset {
  const shape = int32Vector(b, t.shape);
  const signature = t.shapeSignature ? int32Vector(b, t.shapeSignature) : 0;
  const name = b.createString(t.name);
  const quant = t.quantization ? writeQuantization(b, t.quantization) : 0;
  const sparsity = t.sparsity ? writeSparsity(b, t.sparsity) : 0;
  b.startObject(9);
  b.addFieldOffset(0, shape, 0);
  b.addFieldInt8(1, TensorType[t.type], -1); // always written: FLOAT32 is 0
  b.addFieldInt32(2, bufferIndex, 0);
  b.addFieldOffset(3, name, 0);
  if (quant) b.addFieldOffset(4, quant, 0);
  if (sparsity) b.addFieldOffset(6, sparsity, 0);
  if (signature) b.addFieldOffset(7, signature, 0);
  b.addFieldInt8(8, 1, 0); // has_rank
  return b.endObject();
}

/** Writes an options table; returns [union type, offset]. */
function writeOptions(b: flatbuffers.Builder, o: OperatorOptions): [number, Offset] {
  switch (o.kind) {
    case 'Conv2DOptions':
      b.startObject(6);
      b.addFieldInt8(0, Padding[o.padding], 0);
      b.addFieldInt32(1, o.strideW, 0);
      b.addFieldInt32(2, o.strideH, 0);
      b.addFieldInt8(3, ActivationFunction[o.activation], 0);
      b.addFieldInt32(4, o.dilationW, 1);
      b.addFieldInt32(5, o.dilationH, 1);
      return [BuiltinOptions.Conv2DOptions, b.endObject()];
    case 'DepthwiseConv2DOptions':
      b.startObject(7);
      b.addFieldInt8(0, Padding[o.padding], 0);
      b.addFieldInt32(1, o.strideW, 0);
      b.addFieldInt32(2, o.strideH, 0);
      b.addFieldInt32(3, o.depthMultiplier, 0);
      b.addFieldInt8(4, ActivationFunction[o.activation], 0);
      b.addFieldInt32(5, o.dilationW, 1);
      b.addFieldInt32(6, o.dilationH, 1);
      return [BuiltinOptions.DepthwiseConv2DOptions, b.endObject()];
    case 'Pool2DOptions':
      b.startObject(6);
      b.addFieldInt8(0, Padding[o.padding], 0);
      b.addFieldInt32(1, o.strideW, 0);
      b.addFieldInt32(2, o.strideH, 0);
      b.addFieldInt32(3, o.filterW, 0);
      b.addFieldInt32(4, o.filterH, 0);
      b.addFieldInt8(5, ActivationFunction[o.activation], 0);
      return [BuiltinOptions.Pool2DOptions, b.endObject()];
    case 'FullyConnectedOptions':
      b.startObject(4);
      b.addFieldInt8(0, ActivationFunction[o.activation], 0);
      b.addFieldInt8(2, o.keepNumDims ? 1 : 0, 0);
      return [BuiltinOptions.FullyConnectedOptions, b.endObject()];
    case 'SoftmaxOptions':
      b.startObject(1);
      b.addFieldFloat32(0, o.beta, 0);
      return [BuiltinOptions.SoftmaxOptions, b.endObject()];
    case 'ConcatenationOptions':
      b.startObject(2);
      b.addFieldInt32(0, o.axis, 0);
      b.addFieldInt8(1, ActivationFunction[o.activation], 0);
      return [BuiltinOptions.ConcatenationOptions, b.endObject()];
    case 'AddOptions':
    case 'SubOptions':
    case 'MulOptions':
    case 'DivOptions':
      b.startObject(1);
      b.addFieldInt8(0, ActivationFunction[o.activation], 0);
      return [BuiltinOptions[o.kind], b.endObject()];
    case 'ReshapeOptions': {
      const shape = int32Vector(b, o.newShape);
      b.startObject(1);
      b.addFieldOffset(0, shape, 0);
      return [BuiltinOptions.ReshapeOptions, b.endObject()];
    }
    case 'ReducerOptions':
      b.startObject(1);
      b.addFieldInt8(0, o.keepDims ? 1 : 0, 0);
      return [BuiltinOptions.ReducerOptions, b.endObject()];
    case 'LSHProjectionOptions':
      b.startObject(1);
      b.addFieldInt8(0, o.type === 'SPARSE' ? 1 : 2, 0);
      return [BuiltinOptions.LSHProjectionOptions, b.endObject()];
    case 'QuantizeOptions':
    case 'DequantizeOptions':
    case 'DensifyOptions':
    case 'PadOptions':
    case 'TransposeOptions':
    case 'MaximumMinimumOptions':
    case 'HardSwishOptions':
      b.startObject(0);
      return [BuiltinOptions[o.kind], b.endObject()];
    case 'LeakyReluOptions':
      b.startObject(1);
      b.addFieldFloat32(0, o.alpha, 0);
      return [BuiltinOptions.LeakyReluOptions, b.endObject()];
    case 'ResizeNearestNeighborOptions':
      b.startObject(2);
      b.addFieldInt8(0, o.alignCorners ? 1 : 0, 0);
      b.addFieldInt8(1, o.halfPixelCenters ? 1 : 0, 0);
      return [BuiltinOptions.ResizeNearestNeighborOptions, b.endObject()];
    case 'ResizeBilinearOptions': // fields 0, 1 (new_height/new_width) are deprecated
      b.startObject(4);
      b.addFieldInt8(2, o.alignCorners ? 1 : 0, 0);
      b.addFieldInt8(3, o.halfPixelCenters ? 1 : 0, 0);
      return [BuiltinOptions.ResizeBilinearOptions, b.endObject()];
    case 'StridedSliceOptions': // ellipsis, new-axis and shrink masks stay 0
      b.startObject(5);
      b.addFieldInt32(0, o.beginMask, 0);
      b.addFieldInt32(1, o.endMask, 0);
      return [BuiltinOptions.StridedSliceOptions, b.endObject()];
    case 'GatherOptions': // batch_dims stays 0
      b.startObject(2);
      b.addFieldInt32(0, o.axis, 0);
      return [BuiltinOptions.GatherOptions, b.endObject()];
    case 'TransposeConvOptions':
      b.startObject(3);
      b.addFieldInt8(0, Padding[o.padding], 0);
      b.addFieldInt32(1, o.strideW, 0);
      b.addFieldInt32(2, o.strideH, 0);
      return [BuiltinOptions.TransposeConvOptions, b.endObject()];
  }
}

/** Serializes the model; buffer 0 is the mandatory empty sentinel, each constant gets its own. */
export function serializeTflite(spec: TfliteModelSpec): Uint8Array {
  const totalData = spec.tensors.reduce((n, t) => n + (t.data?.length ?? 0), 0);
  const b = new flatbuffers.Builder(Math.max(1024, totalData + 64 * 1024));

  // Operator codes: one per distinct (op, version).
  const codeKeys: string[] = [];
  const opcodeIndex = spec.operators.map((op) => {
    const key = `${op.op}:${op.version}`;
    let i = codeKeys.indexOf(key);
    if (i < 0) i = codeKeys.push(key) - 1;
    return i;
  });

  // Buffers: data first (largest, aligned), so tables follow compactly.
  const bufferOffsets: Offset[] = [];
  const tensorBuffer: number[] = [];
  const dataOffsets = spec.tensors.map((t) => (t.data && t.data.length > 0 ? alignedBytes(b, t.data) : 0));
  b.startObject(3);
  bufferOffsets.push(b.endObject()); // sentinel
  spec.tensors.forEach((_t, i) => {
    if (dataOffsets[i]) {
      b.startObject(3);
      b.addFieldOffset(0, dataOffsets[i], 0);
      tensorBuffer[i] = bufferOffsets.push(b.endObject()) - 1;
    } else {
      tensorBuffer[i] = 0;
    }
  });

  const tensorOffsets = spec.tensors.map((t, i) => writeTensor(b, t, tensorBuffer[i]));
  const operatorOffsets = spec.operators.map((op, i) => {
    const inputs = int32Vector(b, op.inputs);
    const outputs = int32Vector(b, op.outputs);
    const [optType, optOffset] = op.options ? writeOptions(b, op.options) : [BuiltinOptions.NONE, 0];
    b.startObject(9);
    b.addFieldInt32(0, opcodeIndex[i], 0);
    b.addFieldOffset(1, inputs, 0);
    b.addFieldOffset(2, outputs, 0);
    if (optOffset) {
      b.addFieldInt8(3, optType, 0);
      b.addFieldOffset(4, optOffset, 0);
    }
    return b.endObject();
  });

  const subgraphName = b.createString('main');
  const tensorsVec = offsetVector(b, tensorOffsets);
  const inputsVec = int32Vector(b, spec.inputs);
  const outputsVec = int32Vector(b, spec.outputs);
  const operatorsVec = offsetVector(b, operatorOffsets);
  b.startObject(5);
  b.addFieldOffset(0, tensorsVec, 0);
  b.addFieldOffset(1, inputsVec, 0);
  b.addFieldOffset(2, outputsVec, 0);
  b.addFieldOffset(3, operatorsVec, 0);
  b.addFieldOffset(4, subgraphName, 0);
  const subgraph = b.endObject();

  const codeOffsets = codeKeys.map((key) => {
    const [name, version] = key.split(':');
    const code = BuiltinOperator[name as keyof typeof BuiltinOperator];
    b.startObject(4);
    // Old readers (e.g. Arm NN 20.08) only know the byte field; codes ≥ 127 go in builtin_code.
    b.addFieldInt8(0, Math.min(code, 127), 0);
    b.addFieldInt32(2, Number(version), 1);
    b.addFieldInt32(3, code, 0);
    return b.endObject();
  });

  const metadataVec = spec.metadataBuffer ? writeMetadataEntry(b, spec.metadataBuffer, bufferOffsets) : 0;
  const description = b.createString(spec.description);
  const codesVec = offsetVector(b, codeOffsets);
  const subgraphsVec = offsetVector(b, [subgraph]);
  const buffersVec = offsetVector(b, bufferOffsets);
  b.startObject(8);
  b.addFieldInt32(0, SCHEMA_VERSION, 0);
  b.addFieldOffset(1, codesVec, 0);
  b.addFieldOffset(2, subgraphsVec, 0);
  b.addFieldOffset(3, description, 0);
  b.addFieldOffset(4, buffersVec, 0);
  if (metadataVec) b.addFieldOffset(6, metadataVec, 0);
  const model = b.endObject();
  b.finish(model, FILE_IDENTIFIER);
  return b.asUint8Array().slice();
}
