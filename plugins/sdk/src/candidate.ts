// What a hook returns: one or more compressed models, each becoming one candidate of the run.
import type { LayersModel } from './tf.ts';

export const EXPORT_QUANTIZATIONS = ['float32', 'float16', 'dynamic-int8', 'int8'] as const;
export type ExportQuantization = (typeof EXPORT_QUANTIZATIONS)[number];

/** The range of values a tensor takes, as int8 quantization covers it ([min, max] ∪ {0}). */
export interface ValueRange {
  min: number;
  max: number;
}

/** The `ActivationRanges` format this SDK describes; the host refuses others. */
export const ACTIVATION_RANGES_VERSION = 1;

/**
 * Activation ranges a plugin learned for its model — e.g. the moving averages of
 * quantization-aware training (Jacob et al. 2018) — per tensor, for the host's int8 export to use
 * instead of calibrating on training samples (since SDK 1.5.0). A tensor is named by the Keras
 * layer whose output it is; tensors the object does not name are calibrated as usual. Name the
 * tensors the int8 file holds: the output of the last layer of a fused chain (conv → batch norm →
 * ReLU: the ReLU's), not of the layers folded into it.
 */
export interface ActivationRanges {
  version: typeof ACTIVATION_RANGES_VERSION;
  /** The model input. */
  input?: ValueRange;
  /** Output of each named layer (after its activation). */
  outputs: { [layerName: string]: ValueRange };
  /** Layers whose activation TFLite runs as an op of its own (softmax, sigmoid, tanh): the
   * linear output before it. */
  preActivations?: { [layerName: string]: ValueRange };
}

/** How the host should export the model to TFLite. */
export interface ExportHints {
  quantization?: ExportQuantization;
  /** The model was trained quantization-aware (fake-quant). */
  qat?: boolean;
  /** int8 export: use these ranges for the tensors they name instead of calibrating (since 1.5.0). */
  activationRanges?: ActivationRanges;
}

export interface CandidateModel {
  /** Short unique name within this invocation, e.g. 'pruned-80'. */
  name: string;
  model: LayersModel;
  /** One or two sentences for the person reading the results. */
  notes?: string;
  exportHints?: ExportHints;
  /** Numbers the plugin measured itself (e.g. { sparsity: 0.8 }); finite numbers, undefined
   * entries are dropped. (Typed with `| undefined` so arrays of candidates with different metric
   * names type-check.) */
  metrics?: { [name: string]: number | undefined };
}
