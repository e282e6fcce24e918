// measureArtifact: a model outside any run (bench:compression's ProjectionNet figure) exported as
// a run's exportCandidate exports it (exportForTarget) and measured as evaluateCandidate measures
// — test-set accuracy of the .tflite in the TFLite runtime, host latency, MACs, parameters.
// Compression runs never call it: their measurements are the activities'.
import { initEngine, tf } from '../engine/backend/index.ts';
import type { Dataset } from '../engine/data/types.ts';
import { countMacs, evaluateModel, evaluateTflite, measureHostLatency } from '../engine/evaluate/index.ts';
import type { ExportTfliteResult } from '../engine/export/index.ts';
import { deserializeModel, isSerializedModel, type SerializedModel } from '../plugins/index.ts';
import { exportForTarget } from './export.ts';
import { evaluateTextTflite } from '../engine/text/evaluate-tflite.ts';
import type { TextFeaturizerConfig } from '../engine/text/index.ts';
import type { ExportQuantization } from './types.ts';

export interface MeasureOptions {
  /** Test samples to measure accuracy on (default: the whole test split). */
  evalSamples?: number;
  /** Training samples that calibrate int8 activation ranges (default CALIBRATION_SAMPLES). */
  calibrationSamples?: number;
  /** Timed batch-1 runs for host latency (default 30; 0 skips it). */
  latencyRuns?: number;
  /** Text datasets: how raw text becomes the model's input (the text model's featuriser). */
  featurizer?: TextFeaturizerConfig;
}

/** The exported file and its runtime figures, which depend only on the bytes (shareable between
 * targets that take the same file). */
export interface MeasuredArtifact {
  exported: ExportTfliteResult;
  accuracy: number;
  /** The float (tfjs) model's accuracy on the same samples (tensor datasets only). */
  sourceAccuracy?: number;
  hostLatencyMs: number | null;
  parameterCount: number;
  macs: number;
}

async function asModel(model: tf.LayersModel | SerializedModel): Promise<{ model: tf.LayersModel; owned: boolean }> {
  await initEngine();
  return isSerializedModel(model) ? { model: await deserializeModel(model), owned: true } : { model, owned: false };
}

/** Exports `model` as .tflite and measures accuracy (test split), host latency, MACs, params. */
export async function measureArtifact(
  input: tf.LayersModel | SerializedModel, quantization: ExportQuantization, ioType: 'int8' | 'float32', dataset: Dataset, options: MeasureOptions = {},
): Promise<MeasuredArtifact> {
  const { model, owned } = await asModel(input);
  try {
    const exported = await exportForTarget(model, quantization, ioType, dataset, options.calibrationSamples ? { calibrationSamples: options.calibrationSamples } : {});
    const limit = options.evalSamples ? { limit: options.evalSamples } : {};
    let accuracy: number;
    let sourceAccuracy: number | undefined;
    if (dataset.info.kind === 'text') {
      if (!options.featurizer) throw new Error('measuring a text model needs its featurizer (options.featurizer)');
      accuracy = (await evaluateTextTflite(exported.bytes, dataset, 'test', options.featurizer, limit)).accuracy;
    } else {
      accuracy = (await evaluateTflite(exported.bytes, dataset, 'test', limit)).accuracy;
      // The float model the file was exported from, on the same samples: the export-fidelity rule.
      sourceAccuracy = (await evaluateModel(model, dataset, 'test', limit)).accuracy;
    }
    // Host latency feeds random floats: meaningful for tensor inputs only.
    const runs = dataset.info.kind === 'text' ? 0 : options.latencyRuns ?? 30;
    const hostLatencyMs = runs > 0 ? (await measureHostLatency(exported.bytes, { runs, warmup: Math.min(5, runs) })).medianMs : null;
    return { exported, accuracy, ...(sourceAccuracy !== undefined ? { sourceAccuracy } : {}), hostLatencyMs, parameterCount: model.countParams(), macs: countMacs(model).total };
  } finally {
    if (owned) model.dispose();
  }
}
