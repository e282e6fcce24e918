// exportTflite: tfjs LayersModel → .tflite bytes in one of four quantization modes.
import type { ActivationRanges } from '@condense/plugin-sdk';
import type { tf } from '../backend/index.ts';
import { peakActivationBytes } from './activation-memory.ts';
import { appendAssociatedFiles } from './associated-files.ts';
import { serializeTflite } from './flatbuffer-writer.ts';
import { LABELS_FILE, labelsFileBytes, serializeTfliteMetadata, type TfliteMetadata } from './tflite-metadata.ts';
import { calibrateRanges } from './ir-interpreter.ts';
import { optimizeIr } from './ir-passes.ts';
import { kerasToIr } from './keras-to-ir.ts';
import { learnedTensorRanges } from './learned-ranges.ts';
import { lowerIr, type QuantizationMode } from './lower.ts';
import { sparsifyWeights } from './sparse-weights.ts';
import type { TfliteModelSpec } from './tflite-model.ts';
import { downloadBytes } from '../evaluate/download-size.ts';

export type { QuantizationMode } from './lower.ts';

export interface ExportTfliteOptions {
  quantization: QuantizationMode;
  /** Calibration samples for int8 (each array holds one or more samples, row-major). */
  representativeData?: AsyncIterable<Float32Array> | Iterable<Float32Array>;
  /** Per-sample input shape (without batch) when the model's input has unknown dimensions. */
  inputShape?: number[];
  /** int8: float32 I/O with QUANTIZE/DEQUANTIZE at the edges (default), or int8 I/O. */
  ioType?: 'float32' | 'int8';
  /** int8: how many representative samples to calibrate on (default 500). */
  calibrationSamples?: number;
  /** int8: ranges learned in training (quantization-aware) for the tensors they name, used
   * instead of the calibrated ones; the other tensors are calibrated. */
  activationRanges?: ActivationRanges;
  /** dynamic-int8: see LowerOptions. */
  dynamicRangeMinElements?: number;
  dynamicInt8Kernels?: 'hybrid' | 'dequantize';
  /** Standard TFLite metadata to embed (TFLITE_METADATA buffer; labels as an associated file). */
  metadata?: TfliteMetadata;
  /**
   * Store pruned conv/dense weights in TFLite's sparse format behind DENSIFY ops (sparse-weights.ts)
   * when that makes the raw file smaller by more than it may grow the gzip download (index vectors
   * compress worse than runs of zeros: a 90%-pruned int8 layer shrinks 3.4× raw but downloads 7%
   * larger; see README.md here). Only for runtimes that run DENSIFY (TFLite's interpreter; not
   * Arm NN 20.08).
   */
  sparseWeights?: boolean;
}

export interface ExportTfliteResult {
  bytes: Uint8Array;
  /** Distinct TFLite builtin ops, in order of first use. */
  ops: string[];
  /** Distinct tensor types present in the file. */
  tensorTypes: string[];
  /** Peak bytes of live activations at batch 1 (see activation-memory.ts). */
  peakActivationBytes: number;
  /** int8: activation tensors whose range came from `activationRanges` rather than calibration. */
  learnedRangeTensors: number;
  /** Weight constants stored sparse (`sparseWeights`); empty when the file is dense. */
  sparseTensors: string[];
  /** Bytes of `bytes` that are the `metadata` (its TFLITE_METADATA buffer and the associated files
   * appended after the flatbuffer); 0 without metadata. */
  metadataBytes: number;
}

const MODES: QuantizationMode[] = ['float32', 'float16', 'dynamic-int8', 'int8'];

export async function exportTflite(model: tf.LayersModel, options: ExportTfliteOptions): Promise<ExportTfliteResult> {
  if (!MODES.includes(options.quantization)) {
    throw new Error(`quantization must be one of ${MODES.join(', ')}; got '${options.quantization}'`);
  }
  const graph = optimizeIr(kerasToIr(model, options.inputShape));
  let ranges;
  let learnedRanges;
  if (options.quantization === 'int8') {
    if (!options.representativeData) throw new Error('int8 export needs representativeData for calibration');
    ranges = await calibrateRanges(graph, options.representativeData, { maxSamples: options.calibrationSamples });
    if (options.activationRanges) learnedRanges = learnedTensorRanges(graph, options.activationRanges);
  }
  const spec = lowerIr(graph, {
    mode: options.quantization,
    ranges,
    learnedRanges,
    ioType: options.ioType,
    dynamicRangeMinElements: options.dynamicRangeMinElements,
    dynamicInt8Kernels: options.dynamicInt8Kernels,
    description: `Condense export of '${model.name}' (${options.quantization})`,
  });
  if (options.metadata) spec.metadataBuffer = serializeTfliteMetadata(options.metadata);
  const labels = options.metadata?.output.labels ?? [];
  let flatbuffer = serializeTflite(spec);
  let written = spec;
  let sparseTensors: string[] = [];
  if (options.sparseWeights) {
    const sparse = sparsifyWeights(spec);
    const bytes = sparse.sparseTensors.length > 0 ? serializeTflite(sparse.spec) : flatbuffer;
    if (bytes.length < flatbuffer.length && bytes.length + downloadBytes(bytes) < flatbuffer.length + downloadBytes(flatbuffer)) {
      flatbuffer = bytes;
      written = sparse.spec;
      sparseTensors = sparse.sparseTensors;
    }
  }
  const file = appendAssociatedFiles(flatbuffer, {
    ...(labels.length > 0 ? { [LABELS_FILE]: labelsFileBytes(labels) } : {}),
    ...Object.fromEntries((options.metadata?.input.files ?? []).map((f) => [f.name, f.bytes])),
  });
  return {
    bytes: file,
    metadataBytes: options.metadata ? file.length - serializeTflite(withoutMetadata(written)).length : 0,
    ops: [...new Set(spec.operators.map((op) => op.op))],
    tensorTypes: [...new Set(spec.tensors.map((t) => t.type))],
    peakActivationBytes: peakActivationBytes(spec),
    learnedRangeTensors: learnedRanges?.size ?? 0,
    sparseTensors,
  };
}

function withoutMetadata(spec: TfliteModelSpec): TfliteModelSpec {
  const { metadataBuffer: _metadata, ...rest } = spec;
  return rest;
}
