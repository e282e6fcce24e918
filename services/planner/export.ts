// exportForTarget: the one way a candidate becomes a .tflite file for its target — the run's
// quantization, int8 calibrated on CALIBRATION_SAMPLES training samples (batch CALIBRATION_BATCH,
// a fixed shuffle) except where the candidate carries ranges it learned (quantization-aware
// training), int8 I/O for targets that run no float tensors. The planner's measurement and
// the orchestration's exportCandidate activity both call it, so the file a benchmark measures is
// the file a user gets.
import type { ActivationRanges } from '@condense/plugin-sdk';
import type { tf } from '../engine/backend/index.ts';
import type { Dataset } from '../engine/data/types.ts';
import { exportTflite, type ExportTfliteResult, type TfliteMetadata } from '../engine/export/index.ts';
import { getTarget, type ExportQuantization } from '../targets/index.ts';

/** Training samples that calibrate int8 activation ranges (unless a caller asks for fewer). */
export const CALIBRATION_SAMPLES = 500;
/** Batch size the calibration samples are read in. */
export const CALIBRATION_BATCH = 64;
const CALIBRATION_SHUFFLE_SEED = 7;

/** int8 I/O for targets that run no float tensors at all (Edge TPU, microcontrollers). */
export function ioTypeFor(targetId: string, quantization: ExportQuantization): 'int8' | 'float32' {
  return quantization === 'int8' && !getTarget(targetId).tensorTypes.includes('float32') ? 'int8' : 'float32';
}

async function* calibration(dataset: Dataset, limit: number): AsyncIterable<Float32Array> {
  for await (const batch of dataset.batches('train', CALIBRATION_BATCH, { limit, shuffleSeed: CALIBRATION_SHUFFLE_SEED })) {
    if (batch.x) yield batch.x;
  }
}

export interface ExportForTargetOptions {
  /** Calibration samples for int8 (default CALIBRATION_SAMPLES; tests use fewer). */
  calibrationSamples?: number;
  /** Standard TFLite metadata to embed in the file. */
  metadata?: TfliteMetadata;
  /** int8: ranges the model learned in training (a QAT candidate's), used instead of calibration
   * for the tensors they name. */
  activationRanges?: ActivationRanges;
  /** Pruned weights stored sparse behind DENSIFY where that is smaller (targets whose runtime runs DENSIFY). */
  sparseWeights?: boolean;
}

/** Exports `model` in `quantization` with the I/O type `ioType` (see ioTypeFor). */
export async function exportForTarget(
  model: tf.LayersModel, quantization: ExportQuantization, ioType: 'int8' | 'float32', dataset: Dataset, options: ExportForTargetOptions = {},
): Promise<ExportTfliteResult> {
  const calibrationSamples = options.calibrationSamples ?? CALIBRATION_SAMPLES;
  return exportTflite(model, {
    quantization,
    ...(quantization === 'int8' ? { representativeData: calibration(dataset, calibrationSamples), calibrationSamples } : {}),
    ...(quantization === 'int8' && options.activationRanges ? { activationRanges: options.activationRanges } : {}),
    ioType,
    ...(options.metadata ? { metadata: options.metadata } : {}),
    ...(options.sparseWeights ? { sparseWeights: true } : {}),
  });
}
