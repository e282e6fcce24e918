// What a hook returns: one or more compressed models, each becoming one candidate of the run.
import type { LayersModel } from './tf.ts';

export const EXPORT_QUANTIZATIONS = ['float32', 'float16', 'dynamic-int8', 'int8'] as const;
export type ExportQuantization = (typeof EXPORT_QUANTIZATIONS)[number];

/** How the host should export the model to TFLite. */
export interface ExportHints {
  quantization?: ExportQuantization;
  /** The model was trained quantization-aware (fake-quant): export int8 with its ranges. */
  qat?: boolean;
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
