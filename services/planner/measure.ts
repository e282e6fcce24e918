// measureCandidate: exports a compressed model for its target and measures what a user would
// get — test-set accuracy of the .tflite in the TFLite runtime, file bytes, estimated latency on
// the target (the catalog's cost model), host latency, MACs, parameters, target fit, and the
// compression ratio and speed-up against the base model's float32 export.
import { initEngine, tf } from '../engine/backend/index.ts';
import type { Dataset } from '../engine/data/types.ts';
import { countMacs, evaluateModel, evaluateTflite, measureHostLatency } from '../engine/evaluate/index.ts';
import type { ExportTfliteResult } from '../engine/export/index.ts';
import { deserializeModel, isSerializedModel, type SerializedModel } from '../plugins/index.ts';
import { checkTargetFit } from '../targets/index.ts';
import { exportForTarget, ioTypeFor } from './export.ts';
import { evaluateTextTflite } from '../engine/text/evaluate-tflite.ts';
import type { TextFeaturizerConfig } from '../engine/text/index.ts';
import type { BaselineMeasure, CandidatePlan, ExportQuantization, MeasuredCandidate } from './types.ts';

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

/** The base model's reference figures: its float32 export on every target. */
export async function measureBaseline(model: tf.LayersModel | SerializedModel, dataset: Dataset, targets: string[], options: MeasureOptions = {}): Promise<BaselineMeasure & { artifact: MeasuredArtifact }> {
  const artifact = await measureArtifact(model, 'float32', 'float32', dataset, options);
  const estimatedLatencyMs: Record<string, number> = {};
  for (const id of targets) estimatedLatencyMs[id] = fitFor(id, artifact).estimatedLatencyMs;
  return {
    accuracy: artifact.accuracy,
    ...(dataset.info.numClasses >= 2 ? { chanceAccuracy: 1 / dataset.info.numClasses } : {}),
    bytes: artifact.exported.bytes.length,
    parameterCount: artifact.parameterCount,
    macs: artifact.macs,
    hostLatencyMs: artifact.hostLatencyMs,
    estimatedLatencyMs,
    artifact,
  };
}

function fitFor(targetId: string, artifact: MeasuredArtifact) {
  const { exported } = artifact;
  return checkTargetFit(targetId, {
    bytes: exported.bytes.length,
    ops: exported.ops,
    tensorTypes: exported.tensorTypes,
    peakActivationBytes: exported.peakActivationBytes,
    macs: artifact.macs,
    // Nearly all of a .tflite file is constant weights.
    weightBytes: exported.bytes.length,
  });
}

export interface MeasureCandidateInput {
  plan: Pick<CandidatePlan, 'key' | 'label' | 'target' | 'quantization'>;
  /** The compressed model, or an artifact already measured for the same file. */
  model?: tf.LayersModel | SerializedModel;
  artifact?: MeasuredArtifact;
  dataset: Dataset;
  baseline: BaselineMeasure;
  options?: MeasureOptions;
  notes?: string[];
  pluginMetrics?: Record<string, number>;
  compressMs?: number;
}

/** Measures one candidate for its target. Export or runtime errors come back as `failure`. */
export async function measureCandidate(input: MeasureCandidateInput): Promise<MeasuredCandidate & { artifact?: MeasuredArtifact }> {
  const { plan, baseline } = input;
  const head = {
    key: plan.key, label: plan.label, target: plan.target, quantization: plan.quantization,
    ...(input.notes ? { notes: input.notes } : {}),
    ...(input.pluginMetrics ? { pluginMetrics: input.pluginMetrics } : {}),
    ...(input.compressMs !== undefined ? { compressMs: input.compressMs } : {}),
  };
  let artifact = input.artifact;
  if (!artifact) {
    if (!input.model) throw new Error('measureCandidate needs a model or an artifact');
    try {
      artifact = await measureArtifact(input.model, plan.quantization, ioTypeFor(plan.target, plan.quantization), input.dataset, input.options);
    } catch (err) {
      return { ...head, failure: { stage: 'export', message: firstLine(err) } };
    }
  }
  const fit = fitFor(plan.target, artifact);
  const bytes = artifact.exported.bytes.length;
  const baseLatency = baseline.estimatedLatencyMs[plan.target];
  return {
    ...head,
    accuracy: artifact.accuracy,
    ...(artifact.sourceAccuracy !== undefined ? { sourceAccuracy: artifact.sourceAccuracy } : {}),
    bytes,
    parameterCount: artifact.parameterCount,
    macs: artifact.macs,
    estimatedLatencyMs: fit.estimatedLatencyMs,
    hostLatencyMs: artifact.hostLatencyMs,
    compressionRatio: baseline.bytes / bytes,
    speedup: baseLatency !== undefined ? baseLatency / fit.estimatedLatencyMs : 1,
    hostSpeedup: baseline.hostLatencyMs !== null && artifact.hostLatencyMs ? baseline.hostLatencyMs / artifact.hostLatencyMs : null,
    fit: { fits: fit.fits, failures: fit.failures },
    artifact,
  };
}

export function firstLine(err: unknown): string {
  return String((err as Error)?.message ?? err).split('\n')[0];
}
