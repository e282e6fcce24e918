// Reads a .tflite file back into a TfliteModelSpec (the ops and options our writer knows), so
// files can be rewritten — e.g. for runtimes that need constant weights (see runtime/armnn.ts).
import * as flatbuffers from 'flatbuffers';
import {
  ActivationFunction, BuiltinOperator, BuiltinOptions, DimensionType, Padding, SparseIndexVector, TensorType,
  type ActivationName, type BuiltinOperatorName, type PaddingName, type TensorTypeName,
} from './tflite-schema.ts';
import type { OperatorOptions, TensorSpec, TfliteModelSpec } from './tflite-model.ts';
import { METADATA_BUFFER_NAME } from './tflite-metadata.ts';
import type { DimensionMetadata, SparsitySpec } from './sparsity.ts';

/** A flatbuffer table read by field slot (slot = field order in the schema). */
export class Table {
  constructor(readonly bb: flatbuffers.ByteBuffer, readonly pos: number) {}
  private field(slot: number): number {
    return this.bb.__offset(this.pos, 4 + 2 * slot);
  }
  int(slot: number, dflt = 0): number {
    const o = this.field(slot);
    return o ? this.bb.readInt32(this.pos + o) : dflt;
  }
  byte(slot: number, dflt = 0): number {
    const o = this.field(slot);
    return o ? this.bb.readInt8(this.pos + o) : dflt;
  }
  float(slot: number, dflt = 0): number {
    const o = this.field(slot);
    return o ? this.bb.readFloat32(this.pos + o) : dflt;
  }
  table(slot: number): Table | undefined {
    const o = this.field(slot);
    return o ? new Table(this.bb, this.bb.__indirect(this.pos + o)) : undefined;
  }
  string(slot: number): string {
    const o = this.field(slot);
    return o ? (this.bb.__string(this.pos + o) as string) : '';
  }
  vector(slot: number): [number, number] {
    const o = this.field(slot);
    return o ? [this.bb.__vector(this.pos + o), this.bb.__vector_len(this.pos + o)] : [0, 0];
  }
  ints(slot: number): number[] {
    const [start, n] = this.vector(slot);
    return Array.from({ length: n }, (_, i) => this.bb.readInt32(start + 4 * i));
  }
  floats(slot: number): number[] {
    const [start, n] = this.vector(slot);
    return Array.from({ length: n }, (_, i) => this.bb.readFloat32(start + 4 * i));
  }
  longs(slot: number): number[] {
    const [start, n] = this.vector(slot);
    return Array.from({ length: n }, (_, i) => Number(this.bb.readInt64(start + 8 * i)));
  }
  tables(slot: number): Table[] {
    const [start, n] = this.vector(slot);
    return Array.from({ length: n }, (_, i) => new Table(this.bb, this.bb.__indirect(start + 4 * i)));
  }
}

function keyOf<T extends Record<string, number>>(map: T, value: number, what: string): keyof T & string {
  const key = Object.keys(map).find((k) => map[k] === value);
  if (key === undefined) throw new Error(`unsupported ${what} ${value} in TFLite file`);
  return key;
}

const act = (t: Table, slot: number) => keyOf(ActivationFunction, t.byte(slot), 'activation') as ActivationName;
const pad = (t: Table, slot: number) => keyOf(Padding, t.byte(slot), 'padding') as PaddingName;

function readOptions(type: number, t: Table): OperatorOptions | undefined {
  switch (type) {
    case BuiltinOptions.NONE: return undefined;
    case BuiltinOptions.Conv2DOptions:
      return { kind: 'Conv2DOptions', padding: pad(t, 0), strideW: t.int(1), strideH: t.int(2), activation: act(t, 3), dilationW: t.int(4, 1), dilationH: t.int(5, 1) };
    case BuiltinOptions.DepthwiseConv2DOptions:
      return { kind: 'DepthwiseConv2DOptions', padding: pad(t, 0), strideW: t.int(1), strideH: t.int(2), depthMultiplier: t.int(3), activation: act(t, 4), dilationW: t.int(5, 1), dilationH: t.int(6, 1) };
    case BuiltinOptions.Pool2DOptions:
      return { kind: 'Pool2DOptions', padding: pad(t, 0), strideW: t.int(1), strideH: t.int(2), filterW: t.int(3), filterH: t.int(4), activation: act(t, 5) };
    case BuiltinOptions.FullyConnectedOptions:
      return { kind: 'FullyConnectedOptions', activation: act(t, 0), keepNumDims: t.byte(2) !== 0 };
    case BuiltinOptions.SoftmaxOptions: return { kind: 'SoftmaxOptions', beta: t.float(0) };
    case BuiltinOptions.ConcatenationOptions: return { kind: 'ConcatenationOptions', axis: t.int(0), activation: act(t, 1) };
    case BuiltinOptions.AddOptions: return { kind: 'AddOptions', activation: act(t, 0) };
    case BuiltinOptions.SubOptions: return { kind: 'SubOptions', activation: act(t, 0) };
    case BuiltinOptions.MulOptions: return { kind: 'MulOptions', activation: act(t, 0) };
    case BuiltinOptions.ReshapeOptions: return { kind: 'ReshapeOptions', newShape: t.ints(0) };
    case BuiltinOptions.ReducerOptions: return { kind: 'ReducerOptions', keepDims: t.byte(0) !== 0 };
    case BuiltinOptions.LSHProjectionOptions: return { kind: 'LSHProjectionOptions', type: t.byte(0) === 1 ? 'SPARSE' : 'DENSE' };
    case BuiltinOptions.QuantizeOptions: return { kind: 'QuantizeOptions' };
    case BuiltinOptions.DequantizeOptions: return { kind: 'DequantizeOptions' };
    case BuiltinOptions.DensifyOptions: return { kind: 'DensifyOptions' };
    case BuiltinOptions.PadOptions: return { kind: 'PadOptions' };
    case BuiltinOptions.TransposeOptions: return { kind: 'TransposeOptions' };
    case BuiltinOptions.MaximumMinimumOptions: return { kind: 'MaximumMinimumOptions' };
    case BuiltinOptions.HardSwishOptions: return { kind: 'HardSwishOptions' };
    case BuiltinOptions.LeakyReluOptions: return { kind: 'LeakyReluOptions', alpha: t.float(0) };
    case BuiltinOptions.ResizeNearestNeighborOptions: return { kind: 'ResizeNearestNeighborOptions', alignCorners: t.byte(0) !== 0, halfPixelCenters: t.byte(1) !== 0 };
    case BuiltinOptions.ResizeBilinearOptions: return { kind: 'ResizeBilinearOptions', alignCorners: t.byte(2) !== 0, halfPixelCenters: t.byte(3) !== 0 };
    case BuiltinOptions.StridedSliceOptions: return { kind: 'StridedSliceOptions', beginMask: t.int(0), endMask: t.int(1) };
    case BuiltinOptions.TransposeConvOptions: return { kind: 'TransposeConvOptions', padding: pad(t, 0), strideW: t.int(1), strideH: t.int(2) };
    case BuiltinOptions.GatherOptions: return { kind: 'GatherOptions', axis: t.int(0) };
    case BuiltinOptions.DivOptions: return { kind: 'DivOptions', activation: act(t, 0) };
    default: throw new Error(`unsupported builtin options type ${type} in TFLite file`);
  }
}

/** SparseIndexVector union value (type in `slot`, table in `slot + 1`) as plain numbers. */
function indexVector(t: Table, slot: number): number[] {
  const type = t.byte(slot);
  const table = t.table(slot + 1);
  if (!table) return [];
  const [start, n] = table.vector(0);
  switch (type) {
    case SparseIndexVector.Int32Vector: return Array.from({ length: n }, (_, i) => t.bb.readInt32(start + 4 * i));
    case SparseIndexVector.Uint16Vector: return Array.from({ length: n }, (_, i) => t.bb.readUint16(start + 2 * i));
    case SparseIndexVector.Uint8Vector: return Array.from({ length: n }, (_, i) => t.bb.readUint8(start + i));
    default: throw new Error(`unsupported sparse index vector type ${type} in TFLite file`);
  }
}

function readSparsity(t: Table): SparsitySpec {
  const dimMetadata = t.tables(2).map((d): DimensionMetadata => (d.byte(0) === DimensionType.SPARSE_CSR
    ? { format: 'SPARSE_CSR', segments: indexVector(d, 2), indices: indexVector(d, 4) }
    : { format: 'DENSE', denseSize: d.int(1) }));
  const blockMap = t.ints(1);
  return { traversalOrder: t.ints(0), ...(blockMap.length ? { blockMap } : {}), dimMetadata };
}

export function readTfliteModel(bytes: Uint8Array): TfliteModelSpec {
  const bb = new flatbuffers.ByteBuffer(bytes);
  if (bytes.length < 8 || String.fromCharCode(...bytes.subarray(4, 8)) !== 'TFL3') throw new Error('not a TFLite file (no TFL3 identifier)');
  const model = new Table(bb, bb.readInt32(0));
  const buffers = model.tables(4).map((b) => {
    const [start, n] = b.vector(0);
    return n ? bytes.slice(start, start + n) : undefined;
  });
  const codes = model.tables(1).map((c) => ({
    op: keyOf(BuiltinOperator, Math.max(c.byte(0), c.int(3)), 'builtin operator') as BuiltinOperatorName,
    version: c.int(2, 1),
  }));
  const subgraph = model.tables(2)[0];
  if (!subgraph) throw new Error('TFLite file has no subgraph');
  const tensors: TensorSpec[] = subgraph.tables(0).map((t) => {
    const q = t.table(4);
    const signature = t.ints(7);
    const data = buffers[t.int(2)];
    const spec: TensorSpec = { name: t.string(3), shape: t.ints(0), type: keyOf(TensorType, t.byte(1), 'tensor type') as TensorTypeName };
    if (signature.length) spec.shapeSignature = signature;
    if (data) spec.data = data;
    if (q && q.vector(2)[1] > 0) spec.quantization = { scale: q.floats(2), zeroPoint: q.longs(3), quantizedDimension: q.int(6) };
    const sparsity = t.table(6);
    if (sparsity) spec.sparsity = readSparsity(sparsity);
    return spec;
  });
  const operators = subgraph.tables(3).map((op) => {
    const code = codes[op.int(0)];
    const options = op.table(4);
    return {
      op: code.op, version: code.version, inputs: op.ints(1), outputs: op.ints(2),
      options: options ? readOptions(op.byte(3), options) : undefined,
    };
  });
  const spec: TfliteModelSpec = { description: model.string(3), tensors, operators, inputs: subgraph.ints(1), outputs: subgraph.ints(2) };
  const metadata = model.tables(6).find((m) => m.string(0) === METADATA_BUFFER_NAME);
  const metadataBuffer = metadata ? buffers[metadata.int(1)] : undefined;
  if (metadataBuffer) spec.metadataBuffer = metadataBuffer;
  return spec;
}
