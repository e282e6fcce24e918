// Numeric values from TFLite's schema.fbs (tensorflow/compiler/mlir/lite/schema/schema.fbs).
// Only what our writer emits; values must never change (they are the file format).

export const TensorType = {
  FLOAT32: 0,
  FLOAT16: 1,
  INT32: 2,
  UINT8: 3,
  INT64: 4,
  INT16: 7,
  INT8: 9,
} as const;
export type TensorTypeName = keyof typeof TensorType;

export const BuiltinOperator = {
  ADD: 0,
  AVERAGE_POOL_2D: 1,
  CONCATENATION: 2,
  CONV_2D: 3,
  DEPTHWISE_CONV_2D: 4,
  DEQUANTIZE: 6,
  FULLY_CONNECTED: 9,
  LOGISTIC: 14,
  LSH_PROJECTION: 15,
  MAX_POOL_2D: 17,
  MUL: 18,
  RELU: 19,
  RELU6: 21,
  RESHAPE: 22,
  SOFTMAX: 25,
  TANH: 28,
  MEAN: 40,
  CAST: 53,
  SLICE: 65,
  SUB: 41,
  QUANTIZE: 114,
  RESIZE_BILINEAR: 23,
  PAD: 34,
  TRANSPOSE: 39,
  MAXIMUM: 55,
  MINIMUM: 57,
  TRANSPOSE_CONV: 67,
  RESIZE_NEAREST_NEIGHBOR: 97,
  LEAKY_RELU: 98,
  ELU: 111,
  HARD_SWISH: 117,
  STRIDED_SLICE: 45,
  GATHER: 36,
  DIV: 42,
  REDUCE_MAX: 82,
  DENSIFY: 124,
} as const;
export type BuiltinOperatorName = keyof typeof BuiltinOperator;

/** Position (1-based) of each options table in the BuiltinOptions union. */
export const BuiltinOptions = {
  NONE: 0,
  Conv2DOptions: 1,
  DepthwiseConv2DOptions: 2,
  LSHProjectionOptions: 4,
  Pool2DOptions: 5,
  FullyConnectedOptions: 8,
  SoftmaxOptions: 9,
  ConcatenationOptions: 10,
  AddOptions: 11,
  ReshapeOptions: 17,
  MulOptions: 21,
  ReducerOptions: 27,
  SubOptions: 28,
  DequantizeOptions: 38,
  QuantizeOptions: 89,
  ResizeBilinearOptions: 15,
  PadOptions: 22,
  TransposeOptions: 26,
  MaximumMinimumOptions: 39,
  TransposeConvOptions: 49,
  ResizeNearestNeighborOptions: 74,
  LeakyReluOptions: 75,
  HardSwishOptions: 91,
  StridedSliceOptions: 32,
  GatherOptions: 23,
  DivOptions: 29,
  DensifyOptions: 99,
} as const;

export const DimensionType = { DENSE: 0, SPARSE_CSR: 1 } as const;
/** SparseIndexVector union: 1-based positions of its tables. */
export const SparseIndexVector = { Int32Vector: 1, Uint16Vector: 2, Uint8Vector: 3 } as const;

export const Padding = { SAME: 0, VALID: 1 } as const;
export type PaddingName = keyof typeof Padding;

export const ActivationFunction = { NONE: 0, RELU: 1, RELU_N1_TO_1: 2, RELU6: 3, TANH: 4 } as const;
export type ActivationName = keyof typeof ActivationFunction;

export const SCHEMA_VERSION = 3;
export const FILE_IDENTIFIER = 'TFL3';
