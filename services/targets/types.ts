// Types of the hardware-target catalog: what a target accepts, what it costs to run there.

export type ExportQuantization = 'float32' | 'float16' | 'dynamic-int8' | 'int8';

/** Tensor element types, lower-case TFLite `TensorType` names ('float32', 'int8', …). */
export type TensorTypeName = string;

/** Roofline constants for one target. All figures are ESTIMATES for a representative device,
 * derived from public datasheets and published benchmarks (see catalog.ts); they rank candidates
 * and flag obvious misfits, they do not replace a measurement on the device. */
export interface LatencyCostModel {
  /** Sustained multiply-accumulates per second the runtime reaches on conv/dense layers. */
  macsPerSecond: number;
  /** Sustained memory bandwidth, bytes per second, for weights and activations. */
  bytesPerSecond: number;
  /** Dispatch cost of one operator (interpreter bookkeeping, kernel launch), in milliseconds. */
  perOpOverheadMs: number;
  /** Fixed cost of one inference (invoke, host↔accelerator transfer), in milliseconds. */
  fixedOverheadMs: number;
  /** Weights up to this size sit in fast on-chip memory; the rest streams at
   * `offChipBytesPerSecond` (Edge TPU parameter caching). Absent = all weights at `bytesPerSecond`. */
  onChipWeightBytes?: number;
  offChipBytesPerSecond?: number;
  /** Where the numbers come from, said plainly. */
  source: string;
}

export interface HardwareTarget {
  id: string;
  name: string;
  description: string;
  /** Runtime the artifact runs in on this target. */
  runtime: 'tflite' | 'tflite-gpu-delegate' | 'edgetpu' | 'tflite-micro' | 'tfjs-wasm';
  /** Artifact format delivered for this target. */
  format: 'tflite' | 'tfjs-layers';
  /** Tensor element types allowed anywhere in the graph. */
  tensorTypes: readonly TensorTypeName[];
  /** Types at least one of which must appear: an int8 target runs int8 kernels, a float model
   * there would fall back to slow paths or not run at all. */
  requiredTensorTypes?: readonly TensorTypeName[];
  /** TFLite builtin op names the target executes. */
  ops: readonly string[];
  /** Largest model file (flash for microcontrollers), bytes. */
  maxFileBytes: number;
  /** Largest peak activation (tensor arena / working) memory, bytes. */
  maxActivationBytes: number;
  /** Runtime memory the interpreter needs besides activations (TFLM arena bookkeeping), bytes. */
  runtimeOverheadBytes: number;
  /**
   * The runtime runs TFLite's DENSIFY op, so pruned weights ship in TFLite's sparse tensor format
   * when that makes the file smaller (engine/export/sparse-weights.ts). Checked in TFLite's own
   * interpreter; Arm NN 20.08 rejects DENSIFY and TFLite Micro has no DENSIFY kernel.
   */
  sparseWeights: boolean;
  /** Export quantization that suits the target best. */
  preferredQuantization: ExportQuantization;
  /** Every export quantization whose result can run here. */
  acceptedQuantizations: readonly ExportQuantization[];
  latency: LatencyCostModel;
}

/** What a fit check needs to know about an exported model. */
export interface TargetArtifact {
  /** File size, bytes. */
  bytes: number;
  /** TFLite builtin op names used (duplicates allowed). */
  ops: string[];
  /** Tensor element types used. */
  tensorTypes: string[];
  /** Largest sum of simultaneously live activation tensors, bytes. */
  peakActivationBytes: number;
  /** Multiply-accumulates per inference (batch 1). */
  macs: number;
  /** Bytes of constant weights. */
  weightBytes: number;
  /** Number of operators in the graph; defaults to `ops.length`. */
  opCount?: number;
  /** Bytes of activations read and written over one inference, when the exporter knows it;
   * defaults to 2 × peakActivationBytes (a lower bound: the peak tensors are written and read once). */
  activationBytesMoved?: number;
}

export type FitRule = 'op-set' | 'tensor-types' | 'file-size' | 'activation-memory' | 'latency-budget' | 'invalid-artifact';

export interface FitFailure {
  rule: FitRule;
  message: string;
}

export interface FitResult {
  target: string;
  fits: boolean;
  failures: FitFailure[];
  estimatedLatencyMs: number;
}

export interface FitOptions {
  /** A latency budget; exceeding it adds a 'latency-budget' failure. */
  maxLatencyMs?: number;
}
