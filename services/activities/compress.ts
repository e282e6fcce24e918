// compressCandidate: applies the candidate's technique chain, one plugin call (step) after the
// other, through the plugin host. Each step is a content-addressed artifact (steps.ts): a step
// another candidate of the run already made (the joint distillation that trains every student, a
// pruning step three targets share) is looked up, not run again; a new one stores every model the
// plugin returned and the candidate continues with the one it picks. The step reached is also in
// the heartbeat details, so a retried attempt (worker died, process killed) skips finished steps.
// Progress goes to the run's timeline (throttled) and into heartbeats; cancellation arrives as
// the context's AbortSignal and is passed to the plugin host.
import type { tf } from '../engine/backend/index.ts';
import type { Batch, Dataset, Split } from '../engine/data/types.ts';
import { withTenant } from '../db/tenant.ts';
import { appendRunEvent } from '../events/store.ts';
import { recordCandidateProgress } from '../runs-store/index.ts';
import type { CompressCheckpoint, CompressedModel, PlannedCandidate, RunRef } from '../../workflows/types.ts';
import { NonRetryableError, type ActivityContext } from './context.ts';
import type { ActivityDeps, PluginProgress } from './deps.ts';
import { loadBaseModel, loadDataset, loadModelBlob, loadRun, saveModelBlob, vocabularyForModel } from './inputs.ts';
import { runStep, type StepIdentity, type StepOutput } from './steps.ts';
import type { RunForExecution } from '../runs-store/index.ts';
import { labelsFileBytes, serializeTfliteMetadata, type TfliteMetadata } from '../engine/export/index.ts';
import { stepMetadata } from './model-metadata.ts';

const PROGRESS_EVENT_INTERVAL_MS = 1000;
const KEEPALIVE_MS = 10_000;

/** The dataset as plugins see it, optionally capped per split (tiny test runs). */
export function capped(dataset: Dataset, max: number | undefined): Dataset {
  if (!max) return dataset;
  return {
    info: dataset.info,
    batches: (split: Split, batchSize: number, options?: { shuffleSeed?: number; limit?: number }): AsyncIterable<Batch> =>
      dataset.batches(split, batchSize, { ...options, limit: Math.min(options?.limit ?? Infinity, max) }),
  };
}

export function abortError(): Error {
  return Object.assign(new Error('cancelled'), { name: 'AbortError' });
}

export async function compressCandidate(
  deps: ActivityDeps,
  ctx: ActivityContext,
  input: RunRef & { candidate: PlannedCandidate },
): Promise<CompressedModel> {
  const { candidate } = input;
  const ref = { orgId: input.orgId, runId: input.runId };
  const run = await loadRun(deps, ref);
  const dataset = capped(await loadDataset(deps, run), deps.sizes?.maxPluginSamples);
  const resumed = ctx.heartbeatDetails as CompressCheckpoint | undefined;
  let checkpoint: CompressCheckpoint = resumed ?? { completedSteps: 0, modelSha256: null, notes: [] };
  if (!resumed) {
    await withTenant(deps.db, ref.orgId, (trx) =>
      appendRunEvent(trx, { ...ref, type: 'CANDIDATE_STARTED', payload: { candidateKey: candidate.key, steps: candidate.chain.length } }),
    );
  }
  ctx.heartbeat(checkpoint);
  const keepalive = setInterval(() => ctx.heartbeat(checkpoint), KEEPALIVE_MS);
  const versions = new Map(deps.plugins.list().map((p) => [p.name, p.version]));
  const exportMetadata = stepExportMetadata(deps, run, dataset);
  const progress = (message: string, update?: PluginProgress) =>
    withTenant(deps.db, ref.orgId, (trx) =>
      recordCandidateProgress(trx, {
        ...ref,
        candidateKey: candidate.key,
        step: update?.step ?? 0,
        ...(update?.total === undefined ? {} : { steps: update.total }),
        ...(update?.epoch === undefined ? {} : { epoch: update.epoch }),
        ...(update?.epochs === undefined ? {} : { epochs: update.epochs }),
        ...(update?.loss === undefined ? {} : { loss: update.loss }),
        ...(update?.metrics ? { metrics: update.metrics } : {}),
        ...(update?.samplesPerSecond === undefined ? {} : { samplesPerSecond: update.samplesPerSecond }),
        ...(update?.etaSeconds === undefined ? {} : { etaSeconds: update.etaSeconds }),
        message,
      }),
    ).catch((err: unknown) => deps.log?.(`progress event for ${candidate.key} not recorded: ${(err as Error).message}`));
  try {
    for (let i = checkpoint.completedSteps; i < candidate.chain.length; i += 1) {
      const step = candidate.chain[i]!;
      if (ctx.signal.aborted) throw abortError();
      const label = `${step.plugin} (${i + 1}/${candidate.chain.length})`;
      const identity = stepIdentity(deps, run, versions, step, checkpoint.modelSha256, exportMetadata);
      let lastEvent = 0;
      const onProgress = (update: PluginProgress) => {
        ctx.heartbeat({ ...checkpoint, progress: { step: update.step, total: update.total ?? 0, ...(update.loss === undefined ? {} : { loss: update.loss }) } });
        const now = Date.now();
        if (now - lastEvent < PROGRESS_EVENT_INTERVAL_MS) return;
        lastEvent = now;
        void progress(`${label}${update.message ? `: ${update.message}` : ''}`, update);
      };
      const { key, outputs, source } = await runStep(deps.db, ref.orgId, identity, () => applyPlugin(deps, ctx, run, identity, dataset, onProgress, exportMetadata));
      const chosen = step.pick ? outputs.find((o) => o.name === step.pick) : outputs[0];
      if (!chosen) {
        throw new NonRetryableError('PluginFailure', `plugin "${step.plugin}" returned no candidate${step.pick ? ` named "${step.pick}"` : ''} (got: ${outputs.map((o) => o.name).join(', ') || 'none'})`);
      }
      if (source !== 'ran') {
        // The timeline says which candidates came out of one call (e.g. three students, one loop).
        await progress(`${label}: ${source === 'shared' ? 'shared the call another candidate was making' : 'reused the finished step'} ${key.slice(0, 12)} (${outputs.length} model(s): ${outputs.map((o) => o.name).join(', ')}); took ${chosen.name}`);
      }
      const quantization = chosen.exportHints?.quantization ?? checkpoint.quantization;
      checkpoint = {
        completedSteps: i + 1,
        modelSha256: chosen.modelSha256,
        notes: [...checkpoint.notes, `${step.plugin}: ${chosen.notes ?? chosen.name}`],
        ...(quantization ? { quantization } : {}),
      };
      ctx.heartbeat(checkpoint);
    }
    const modelSha256 = checkpoint.modelSha256 ?? (await baseModelBlob(deps, run));
    return { modelSha256, notes: checkpoint.notes, ...(checkpoint.quantization ? { quantization: checkpoint.quantization } : {}) };
  } finally {
    clearInterval(keepalive);
  }
}

/** The metadata a step's plugin measures its files with (ctx.export.evaluate; stepMetadata):
 * tensor datasets only, the only ones ctx.export measures. */
export function stepExportMetadata(deps: ActivityDeps, run: RunForExecution, dataset: Dataset): TfliteMetadata | undefined {
  if (dataset.info.kind !== 'tensor') return undefined;
  return stepMetadata(run, dataset.info, run.targets, deps.plugins.list().map((p) => p.name));
}

/** What a step's result depends on (its content address, steps.ts): `inputSha256` null = the
 * uploaded model. A plugin may size its models by the files ctx.export.evaluate measures, so the
 * size of the metadata those files carry is part of it. */
export function stepIdentity(
  deps: ActivityDeps, run: RunForExecution, versions: Map<string, string>, step: { plugin: string; config: Record<string, unknown> }, inputSha256: string | null,
  exportMetadata?: TfliteMetadata,
): StepIdentity {
  return {
    ...(exportMetadata ? { exportMetadataBytes: serializeTfliteMetadata(exportMetadata).length + labelsFileBytes(exportMetadata.output.labels).length } : {}),
    inputSha256: inputSha256 ?? run.model.blobSha256,
    teacherSha256: run.model.blobSha256,
    data: { sha256: run.dataset.blobSha256, seed: deps.sizes?.datasetSeed ?? 1, maxSamples: deps.sizes?.maxPluginSamples ?? null },
    plugin: step.plugin,
    pluginVersion: versions.get(step.plugin) ?? 'not installed',
    config: step.config,
    targets: run.targets,
  };
}

/** The base model as a TF.js layers zip blob (what an empty chain hands to the exporter). */
async function baseModelBlob(deps: ActivityDeps, run: RunForExecution): Promise<string> {
  const model = await loadBaseModel(deps, run);
  try {
    return await saveModelBlob(deps, model);
  } finally {
    model.dispose();
  }
}

/** One plugin call on the step's input model; every model it returns is stored as a blob. */
export async function applyPlugin(
  deps: ActivityDeps, ctx: ActivityContext, run: RunForExecution, identity: StepIdentity, data: Dataset, onProgress: (update: PluginProgress) => void,
  exportMetadata?: TfliteMetadata,
): Promise<{ outputs: StepOutput[]; durationMs: number }> {
  const started = performance.now();
  const model = identity.inputSha256 === run.model.blobSha256 ? await loadBaseModel(deps, run) : await loadModelBlob(deps, identity.inputSha256);
  let teacher: tf.LayersModel | undefined;
  try {
    teacher = await loadBaseModel(deps, run);
    const result = await deps.plugins.invoke({
      plugin: identity.plugin,
      config: identity.config,
      model,
      teacher,
      // A vocabulary-pruned input model reads its texts with fewer token ids (its tokenizer's num_words).
      data: vocabularyForModel(data, model),
      targets: identity.targets,
      ...(exportMetadata ? { exportMetadata } : {}),
      signal: ctx.signal,
      onProgress,
    });
    if (!result.ok) {
      if (result.failure.reason === 'cancelled' || ctx.signal.aborted) throw abortError();
      throw new NonRetryableError('PluginFailure', `plugin "${result.failure.plugin}" ${result.failure.reason}: ${result.failure.message}`);
    }
    const outputs: StepOutput[] = [];
    for (const c of result.candidates) {
      try {
        outputs.push({
          name: c.name,
          modelSha256: await saveModelBlob(deps, c.model),
          ...(c.notes ? { notes: c.notes } : {}),
          ...(c.exportHints ? { exportHints: c.exportHints } : {}),
          ...(c.metrics ? { metrics: c.metrics } : {}),
        });
      } finally {
        c.model.dispose();
      }
    }
    return { outputs, durationMs: performance.now() - started };
  } finally {
    model.dispose();
    teacher?.dispose();
  }
}
