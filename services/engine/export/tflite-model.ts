// The lowered, fully typed form of a TFLite model: exactly what the flatbuffer writer serializes.
import type { SparsitySpec } from './sparsity.ts';
import type { ActivationName, BuiltinOperatorName, PaddingName, TensorTypeName } from './tflite-schema.ts';

export interface QuantizationSpec {
  scale: number[];
  zeroPoint: number[];
  /** Axis the per-channel scales run along (0 when per-tensor). */
  quantizedDimension?: number;
}

export interface TensorSpec {
  name: string;
  /** Static shape (batch is 1 for activations). */
  shape: number[];
  /** Shape with -1 for the dynamic batch dimension, when it differs from `shape`. */
  shapeSignature?: number[];
  type: TensorTypeName;
  /** Constant contents (little-endian raw bytes); absent for activations. */
  data?: Uint8Array;
  quantization?: QuantizationSpec;
  /** Sparse encoding of `data` (TFLite `SparsityParameters`); a DENSIFY op restores the dense tensor. */
  sparsity?: SparsitySpec;
}

export type OperatorOptions =
  | { kind: 'Conv2DOptions'; padding: PaddingName; strideW: number; strideH: number; activation: ActivationName; dilationW: number; dilationH: number }
  | { kind: 'DepthwiseConv2DOptions'; padding: PaddingName; strideW: number; strideH: number; depthMultiplier: number; activation: ActivationName; dilationW: number; dilationH: number }
  | { kind: 'Pool2DOptions'; padding: PaddingName; strideW: number; strideH: number; filterW: number; filterH: number; activation: ActivationName }
  | { kind: 'FullyConnectedOptions'; activation: ActivationName; keepNumDims?: boolean }
  | { kind: 'SoftmaxOptions'; beta: number }
  | { kind: 'ConcatenationOptions'; axis: number; activation: ActivationName }
  | { kind: 'AddOptions'; activation: ActivationName }
  | { kind: 'SubOptions'; activation: ActivationName }
  | { kind: 'MulOptions'; activation: ActivationName }
  | { kind: 'ReshapeOptions'; newShape: number[] }
  | { kind: 'ReducerOptions'; keepDims: boolean }
  | { kind: 'LSHProjectionOptions'; type: 'SPARSE' | 'DENSE' }
  | { kind: 'QuantizeOptions' }
  | { kind: 'DequantizeOptions' }
  | { kind: 'DensifyOptions' }
  | { kind: 'PadOptions' }
  | { kind: 'TransposeOptions' }
  | { kind: 'MaximumMinimumOptions' }
  | { kind: 'HardSwishOptions' }
  | { kind: 'LeakyReluOptions'; alpha: number }
  | { kind: 'ResizeNearestNeighborOptions'; alignCorners: boolean; halfPixelCenters: boolean }
  | { kind: 'ResizeBilinearOptions'; alignCorners: boolean; halfPixelCenters: boolean }
  | { kind: 'TransposeConvOptions'; padding: PaddingName; strideW: number; strideH: number }
  | { kind: 'StridedSliceOptions'; beginMask: number; endMask: number }
  | { kind: 'GatherOptions'; axis: number }
  | { kind: 'DivOptions'; activation: ActivationName };

export interface OperatorSpec {
  op: BuiltinOperatorName;
  version: number;
  inputs: number[];
  outputs: number[];
  options?: OperatorOptions;
}

export interface TfliteModelSpec {
  description: string;
  tensors: TensorSpec[];
  operators: OperatorSpec[];
  inputs: number[];
  outputs: number[];
  /** The TFLITE_METADATA flatbuffer (see tflite-metadata.ts), stored as the last buffer. */
  metadataBuffer?: Uint8Array;
}
