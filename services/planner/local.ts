// runPlanLocally: the whole planner in one process — baseline, plan, execute every chain through
// the plugin host (shared prefixes once), measure each candidate, select. Used by tests, the
// benchmark and local tries; the orchestration calls the same parts as separate activities.
import type { ProgressUpdate } from '@condense/plugin-sdk';
import { initEngine, tf } from '../engine/backend/index.ts';
import type { Dataset } from '../engine/data/types.ts';
import { createPluginHost, serializeModel, type PluginHost, type SerializedModel } from '../plugins/index.ts';
import { ChainCache, executeChain } from './execute.ts';
import { ioTypeFor } from './export.ts';
import { measureBaseline, measureCandidate, type MeasuredArtifact, type MeasureOptions } from './measure.ts';
import { planCandidates } from './plan.ts';
import type { TextFeaturizerConfig } from '../engine/text/index.ts';
import { selectResults } from './select.ts';
import type {
  BaselineMeasure, CandidatePlan, ChainFamily, MeasuredCandidate, PlanBudget, PlanConstraints, Selection,
} from './types.ts';

export interface LocalPlanOptions {
  /** The trained model to compress (also the teacher unless `teacher` is given). */
  model: tf.LayersModel;
  teacher?: tf.LayersModel;
  dataset: Dataset;
  targets: string[];
  constraints?: PlanConstraints;
  budget?: PlanBudget;
  families?: ChainFamily[];
  students?: Array<'large' | 'medium' | 'small'>;
  pruneSparsity?: number;
  /** A loaded plugin host (default: a new one with the built-in plugins). */
  host?: PluginHost;
  measure?: MeasureOptions;
  /** Text datasets: the featuriser of a text model, from the config its plugin ran with (e.g. the
   * projection plugin's featurizerFromConfig). */
  textFeaturizer?: (pluginConfig: Record<string, unknown>) => TextFeaturizerConfig;
  signal?: AbortSignal;
  /** One line per phase / candidate, for the person watching. */
  log?: (line: string) => void;
  onProgress?: (plan: CandidatePlan, step: number, update: ProgressUpdate) => void;
}

export interface LocalPlanResult {
  baseline: BaselineMeasure;
  plans: CandidatePlan[];
  measured: MeasuredCandidate[];
  selection: Selection;
  /** Plugin calls actually made (shared prefixes count once). */
  pluginCalls: number;
  seconds: { baseline: number; compress: number; measure: number; total: number };
}

export async function runPlanLocally(options: LocalPlanOptions): Promise<LocalPlanResult> {
  const log = options.log ?? (() => undefined);
  const t0 = performance.now();
  await initEngine();
  const host = options.host ?? await createPluginHost();
  await host.registerCustomLayers(tf);
  const constraints = options.constraints ?? {};
  const { info } = options.dataset;

  const baseline = await measureBaseline(options.model, options.dataset, options.targets, options.measure);
  const tBaseline = performance.now();
  log(`baseline: accuracy ${(baseline.accuracy * 100).toFixed(2)}%, ${baseline.bytes} bytes (float32 .tflite), ${baseline.parameterCount} parameters`);

  const plans = planCandidates({
    dataset: { kind: info.kind, inputShape: info.inputShape, numClasses: info.numClasses },
    targets: options.targets,
    plugins: host.list().map((p) => ({ name: p.manifest.name, kind: p.manifest.kind, hardwareTargets: p.manifest.hardwareTargets })),
    constraints,
    ...(options.budget ? { budget: options.budget } : {}),
    ...(options.families ? { families: options.families } : {}),
    ...(options.students ? { students: options.students } : {}),
    ...(options.pruneSparsity !== undefined ? { pruneSparsity: options.pruneSparsity } : {}),
  });
  log(`planned ${plans.length} candidate(s): ${plans.map((p) => p.key).join(', ')}`);

  const baseModel: SerializedModel = await serializeModel(options.model);
  const teacher = options.teacher ? await serializeModel(options.teacher) : undefined;
  const cache = new ChainCache();
  const artifacts = new Map<string, Promise<MeasuredArtifact>>();
  const measured: MeasuredCandidate[] = [];
  let compressMs = 0;
  let measureMs = 0;
  for (const plan of plans) {
    const tc = performance.now();
    const outcome = await executeChain(plan, {
      host, baseModel, data: options.dataset, cache,
      ...(teacher ? { teacher } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    });
    compressMs += performance.now() - tc;
    if (!outcome.ok) {
      log(`${plan.key}: ${outcome.plugin} failed (${outcome.reason}): ${outcome.message}`);
      measured.push({ key: plan.key, label: plan.label, target: plan.target, quantization: plan.quantization, failure: { stage: 'compress', message: `plugin "${outcome.plugin}" ${outcome.reason}: ${outcome.message}` } });
      continue;
    }
    const tm = performance.now();
    // Targets that take the same file share one export and one accuracy/latency measurement.
    const artifactKey = `${outcome.modelKey}@${plan.quantization}/${ioTypeFor(plan.target, plan.quantization)}`;
    let artifact: MeasuredArtifact | undefined;
    const known = artifacts.get(artifactKey);
    if (known) artifact = await known.catch(() => undefined);
    let measure = options.measure;
    if (info.kind === 'text') {
      if (!options.textFeaturizer) throw new Error('runPlanLocally on a text dataset needs options.textFeaturizer');
      measure = { ...measure, featurizer: options.textFeaturizer(outcome.steps.at(-1)?.config ?? {}) };
    }
    const result = await measureCandidate({
      plan,
      ...(artifact ? { artifact } : { model: outcome.model }),
      dataset: options.dataset,
      baseline,
      ...(measure ? { options: measure } : {}),
      notes: outcome.steps.map((s) => `${s.plugin}: ${s.notes ?? s.candidate}`),
      ...(outcome.steps.length > 0 && outcome.steps.at(-1)!.metrics ? { pluginMetrics: outcome.steps.at(-1)!.metrics } : {}),
      compressMs: outcome.steps.reduce((n, s) => n + s.durationMs, 0),
    });
    if (result.artifact && !known) artifacts.set(artifactKey, Promise.resolve(result.artifact));
    const { artifact: _drop, ...candidate } = result;
    measured.push(candidate);
    measureMs += performance.now() - tm;
    log(candidate.failure
      ? `${plan.key}: ${candidate.failure.stage} failed: ${candidate.failure.message}`
      : `${plan.key}: accuracy ${(candidate.accuracy! * 100).toFixed(2)}%, ${candidate.bytes} bytes (${candidate.compressionRatio!.toFixed(1)}× smaller), est. ${candidate.estimatedLatencyMs!.toFixed(3)} ms on ${plan.target}`);
  }
  const selection = selectResults(measured, constraints, baseline);
  const { artifact: _baselineArtifact, ...baselineFigures } = baseline;
  const end = performance.now();
  return {
    baseline: baselineFigures,
    plans,
    measured,
    selection,
    pluginCalls: cache.size,
    seconds: { baseline: (tBaseline - t0) / 1000, compress: compressMs / 1000, measure: measureMs / 1000, total: (end - t0) / 1000 },
  };
}
