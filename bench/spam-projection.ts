// One call for benchmarks: train the ProjectionNet on the SpamAssassin
// spam/ham corpus through the real plugin host, export it, and measure it in TFLite's interpreter.
// Drives the plugin host directly (the run path is bench/text.ts):
//   import { benchSpamProjection } from './spam-projection.ts';
import { tf } from '../services/engine/backend/index.ts';
import { exportTflite, type QuantizationMode } from '../services/engine/export/index.ts';
import { evaluateTextTflite } from '../services/engine/text/evaluate-tflite.ts';
import { featurizeTexts, textFeaturizerOfModel, type TextFeaturizerConfig } from '../services/engine/text/index.ts';
import type { IndexedDataset } from '../services/engine/data/index.ts';
import { spamAssassinDataset } from '../services/engine/text/spam-assassin.ts';
import { createPluginHost, deserializeModel, type PluginHost } from '../services/plugins/index.ts';
import type { ProgressUpdate } from '@condense/plugin-sdk';

export interface SpamProjectionBenchOptions {
  /** Mails to use (seeded subset); default all 6,046. */
  limit?: number;
  /** Dataset split seed (80/10/10). */
  seed?: number;
  /** Plugin config overrides (e.g. { epochs: 10 }). */
  config?: Record<string, unknown>;
  /** Export mode; default the candidate's exportHints (dynamic-int8). */
  quantization?: QuantizationMode;
  /** A host to reuse (the engine must be initialised); otherwise one is created on wasm. */
  host?: PluginHost;
  onProgress?: (update: ProgressUpdate) => void;
}

export interface SpamProjectionBenchResult {
  tfliteBytes: Uint8Array;
  sizeBytes: number;
  ops: string[];
  quantization: QuantizationMode;
  /** Test-split accuracy in the TFLite interpreter (raw text → featurizeTexts → .tflite). */
  testAccuracy: number;
  testSamples: number;
  /** The plugin's own measurements (validationAccuracy, trainerValidationAccuracy, ...). */
  metrics: Record<string, number | undefined>;
  trainSeconds: number;
  evalSeconds: number;
  notes: string;
}

async function* calibrationTexts(data: IndexedDataset, featurizer: TextFeaturizerConfig): AsyncIterable<Float32Array> {
  for await (const batch of data.batches('train', 50, { limit: 200 })) yield featurizeTexts(batch.texts ?? [], featurizer);
}

export async function benchSpamProjection(options: SpamProjectionBenchOptions = {}): Promise<SpamProjectionBenchResult> {
  const data = spamAssassinDataset({ limit: options.limit, seed: options.seed ?? 3 });
  const host = options.host ?? await createPluginHost({ backend: 'wasm' });
  const started = Date.now();
  // The input model is unused for text (the plugin builds its own trainer network).
  const placeholder = tf.sequential({ layers: [tf.layers.dense({ inputShape: [1], units: data.info.numClasses })] });
  const result = await host.invoke('projection', { model: placeholder, data, config: options.config ?? {}, onProgress: options.onProgress });
  placeholder.dispose();
  const trainSeconds = (Date.now() - started) / 1000;
  if (result.failures.length > 0) throw new Error(`projection plugin failed: ${result.failures[0].message}`);
  const candidate = result.candidates[0];
  const model = await deserializeModel(candidate.model);
  try {
    const quantization = options.quantization ?? candidate.exportHints?.quantization ?? 'dynamic-int8';
    const featurizer = textFeaturizerOfModel(model);
    if (!featurizer) throw new Error('the projection candidate carries no text featuriser');
    // Full int8 calibrates the dense layers on featurised training texts.
    const representativeData = quantization === 'int8' ? calibrationTexts(data, featurizer) : undefined;
    const exported = await exportTflite(model, { quantization: quantization as QuantizationMode, ...(representativeData ? { representativeData, calibrationSamples: 200 } : {}) });
    const evalStart = Date.now();
    const evaluation = await evaluateTextTflite(exported.bytes, data, 'test', featurizer);
    return {
      tfliteBytes: exported.bytes,
      sizeBytes: exported.bytes.length,
      ops: exported.ops,
      quantization: quantization as QuantizationMode,
      testAccuracy: evaluation.accuracy,
      testSamples: evaluation.samples,
      metrics: candidate.metrics ?? {},
      trainSeconds,
      evalSeconds: (Date.now() - evalStart) / 1000,
      notes: candidate.notes ?? '',
    };
  } finally {
    model.dispose();
    await data.close();
  }
}
