// ctx.export: the host's own TFLite export (services/planner/export.ts, the function the
// exportCandidate activity uses) of a plugin's model, measured in TFLite's interpreter on the
// invocation's data — so a plugin decides on the file users will get, not on a simulation. The
// file carries the TFLite metadata and labels the run writes (the binding's `metadata`), so its
// `bytes` are what a candidate's file weighs, not the bare model's.
import type { ExportHelpers, PluginDataset } from '@condense/plugin-sdk';
import type { Dataset } from '../../engine/data/types.ts';
import { evaluateTflite } from '../../engine/evaluate/index.ts';
import { tf } from '../../engine/backend/index.ts';
import { exportTflite } from '../../engine/export/index.ts';
import { loadTfliteModel } from '../../engine/runtime/index.ts';
import { loadTfweb } from '../../engine/runtime/tflite-wasm-loader.ts';
import { exportForTarget } from '../../planner/export.ts';
import { checkActivationRanges } from '../export-hints.ts';
import type { TfliteMetadata } from '../../engine/export/index.ts';

export interface ExportBinding {
  data: PluginDataset | undefined;
  signal: AbortSignal;
  /** The metadata the run writes into its candidates' files (InvokeRequest.exportMetadata);
   * absent outside a run (a plugin invoked on its own), where the files carry none. */
  metadata?: TfliteMetadata;
}

/**
 * Loads TFLite's wasm interpreter (call before plugin code runs: the loader reads local files).
 * In a worker thread TFLite's client finds MessageChannel + SharedArrayBuffer and picks its
 * threaded build, which needs browser Workers: this thread goes without MessageChannel (the host
 * channel is parentPort).
 */
let loaded: Promise<void> | undefined;
export function loadExportRuntime(): Promise<void> {
  loaded ??= load();
  return loaded;
}

async function load(): Promise<void> {
  (globalThis as { MessageChannel?: unknown }).MessageChannel = undefined;
  await loadTfweb();
  // The client fetches its wasm build when it creates the first runner: do that now, with a
  // one-op model, so nothing is fetched once the plugin runs.
  const probe = tf.sequential({ layers: [tf.layers.dense({ inputShape: [1], units: 1 })] });
  try {
    (await loadTfliteModel((await exportTflite(probe, { quantization: 'float32' })).bytes)).dispose();
  } finally {
    probe.dispose();
  }
}

export function createExportHelpers(binding: ExportBinding): ExportHelpers {
  return {
    async evaluate(model, options) {
      const data = binding.data as unknown as Dataset | undefined;
      if (!data) throw new Error('ctx.export.evaluate: this invocation has no dataset');
      if (data.info.kind !== 'tensor') throw new Error(`ctx.export.evaluate needs a tensor dataset; this one is '${data.info.kind}'`);
      if (binding.signal.aborted) throw new Error('ctx.export.evaluate: cancelled');
      const split = options.split ?? (data.info.splits.validation > 0 ? 'validation' : 'train');
      let ranges;
      if (options.activationRanges !== undefined) {
        ranges = checkActivationRanges(options.activationRanges, 'ctx.export.evaluate: activationRanges');
        if (typeof ranges === 'string') throw new Error(ranges);
      }
      // float32 I/O: an int8 file with int8 I/O (mcu-int8, edgetpu-int8) is smaller by the
      // QUANTIZE/DEQUANTIZE at its edges, so `bytes` never undercounts a target's file.
      const { bytes, metadataBytes } = await exportForTarget(model, options.quantization, 'float32', data, {
        ...(ranges ? { activationRanges: ranges } : {}),
        ...(binding.metadata ? { metadata: binding.metadata } : {}),
      });
      const result = await evaluateTflite(bytes, data, split, { batchSize: 250, ...(options.limit ? { limit: options.limit } : {}) });
      return { accuracy: result.accuracy, samples: result.count, bytes: bytes.length, metadataBytes };
    },
  };
}
