// compressCandidate: applies the candidate's technique chain, one plugin after the other, through
// the plugin host. After each plugin the model is stored as a blob and the step recorded in the
// heartbeat details, so a retried attempt (worker died, process killed) skips finished steps.
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
import { loadBaseModel, loadDataset, loadModelBlob, loadRun, saveModelBlob } from './inputs.ts';

const PROGRESS_EVENT_INTERVAL_MS = 1000;
const KEEPALIVE_MS = 10_000;

/** The dataset as plugins see it, optionally capped per split (tiny test runs). */
function capped(dataset: Dataset, max: number | undefined): Dataset {
  if (!max) return dataset;
  return {
    info: dataset.info,
    batches: (split: Split, batchSize: number, options?: { shuffleSeed?: number; limit?: number }): AsyncIterable<Batch> =>
      dataset.batches(split, batchSize, { ...options, limit: Math.min(options?.limit ?? Infinity, max) }),
  };
}

function abortError(): Error {
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
  let model: tf.LayersModel = checkpoint.modelSha256 ? await loadModelBlob(deps, checkpoint.modelSha256) : await loadBaseModel(deps, run);
  let teacher: tf.LayersModel | undefined;
  try {
    for (let i = checkpoint.completedSteps; i < candidate.chain.length; i += 1) {
      const step = candidate.chain[i]!;
      if (ctx.signal.aborted) throw abortError();
      teacher ??= await loadBaseModel(deps, run);
      let lastEvent = 0;
      const onProgress = (update: PluginProgress) => {
        ctx.heartbeat({ ...checkpoint, progress: { step: update.step, total: update.total ?? 0, ...(update.loss === undefined ? {} : { loss: update.loss }) } });
        const now = Date.now();
        if (now - lastEvent < PROGRESS_EVENT_INTERVAL_MS) return;
        lastEvent = now;
        void withTenant(deps.db, ref.orgId, (trx) =>
          recordCandidateProgress(trx, {
            ...ref,
            candidateKey: candidate.key,
            step: update.step,
            ...(update.total === undefined ? {} : { steps: update.total }),
            ...(update.epoch === undefined ? {} : { epoch: update.epoch }),
            ...(update.epochs === undefined ? {} : { epochs: update.epochs }),
            ...(update.loss === undefined ? {} : { loss: update.loss }),
            ...(update.metrics ? { metrics: update.metrics } : {}),
            ...(update.samplesPerSecond === undefined ? {} : { samplesPerSecond: update.samplesPerSecond }),
            ...(update.etaSeconds === undefined ? {} : { etaSeconds: update.etaSeconds }),
            message: `${step.plugin} (${i + 1}/${candidate.chain.length})${update.message ? `: ${update.message}` : ''}`,
          }),
        ).catch((err: unknown) => deps.log?.(`progress event for ${candidate.key} not recorded: ${(err as Error).message}`));
      };
      const result = await deps.plugins.invoke({
        plugin: step.plugin,
        config: step.config,
        model,
        teacher,
        data: dataset,
        targets: [candidate.target],
        signal: ctx.signal,
        onProgress,
      });
      if (!result.ok) {
        if (result.failure.reason === 'cancelled' || ctx.signal.aborted) throw abortError();
        throw new NonRetryableError('PluginFailure', `plugin "${result.failure.plugin}" ${result.failure.reason}: ${result.failure.message}`);
      }
      const [chosen, ...rest] = result.candidates;
      if (!chosen) throw new NonRetryableError('PluginFailure', `plugin "${step.plugin}" returned no candidate model`);
      for (const other of rest) other.model.dispose();
      model.dispose();
      model = chosen.model;
      const sha = await saveModelBlob(deps, model);
      checkpoint = {
        completedSteps: i + 1,
        modelSha256: sha,
        notes: [...checkpoint.notes, `${step.plugin}: ${chosen.notes ?? chosen.name}`],
        ...(chosen.exportHints?.quantization ? { quantization: chosen.exportHints.quantization } : checkpoint.quantization ? { quantization: checkpoint.quantization } : {}),
      };
      ctx.heartbeat(checkpoint);
    }
    const modelSha256 = checkpoint.modelSha256 ?? (await saveModelBlob(deps, model));
    return { modelSha256, notes: checkpoint.notes, ...(checkpoint.quantization ? { quantization: checkpoint.quantization } : {}) };
  } finally {
    clearInterval(keepalive);
    model.dispose();
    teacher?.dispose();
  }
}
