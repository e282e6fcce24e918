// runStep: one step of the plan's graph (workflows/step-graph.ts) — one plugin call on one input
// model, stored as a content-addressed artifact (steps.ts). The orchestration runs each distinct
// step once per run and several at once; a step it reaches again (a resumed or retried run, a
// later run of the same model and data) is looked up, not trained again. The step's progress goes
// to the run's timeline, attributed to every candidate that uses it, and when a plugin returns
// several models from one call (distillation: every student from one joint loop) the timeline
// says so.
import { withTenant } from '../db/tenant.ts';
import { appendRunEvent } from '../events/store.ts';
import type { PlannedStep, RunRef, StepResult } from '../../workflows/types.ts';
import type { ActivityContext } from './context.ts';
import { abortError, applyPlugin, capped, stepExportMetadata, stepIdentity } from './compress.ts';
import type { ActivityDeps, PluginProgress } from './deps.ts';
import { loadDataset, loadRun } from './inputs.ts';
import { runStep as runStoredStep } from './steps.ts';

const PROGRESS_EVENT_INTERVAL_MS = 1000;
const KEEPALIVE_MS = 10_000;

export async function runStep(
  deps: ActivityDeps,
  ctx: ActivityContext,
  input: RunRef & { step: PlannedStep; candidates: string[]; root: boolean },
): Promise<StepResult> {
  const { step, candidates } = input;
  const ref = { orgId: input.orgId, runId: input.runId };
  const run = await loadRun(deps, ref);
  const versions = new Map(deps.plugins.list().map((p) => [p.name, p.version]));
  const label = `${step.plugin} (step ${step.id})`;
  // The candidate the progress bars show it under: the first that uses the step; the others are
  // named in the payload (`sharedBy`).
  const [lead = step.id] = candidates;
  const event = (type: 'CANDIDATE_STARTED' | 'CANDIDATE_PROGRESS', payload: Record<string, unknown>) =>
    withTenant(deps.db, ref.orgId, (trx) => appendRunEvent(trx, { ...ref, type, payload }))
      .catch((err: unknown) => deps.log?.(`progress event for step ${step.id} not recorded: ${(err as Error).message}`));
  if (input.root && ctx.attempt === 1) {
    for (const candidateKey of candidates) await event('CANDIDATE_STARTED', { candidateKey, stepId: step.id, plugin: step.plugin });
  }
  ctx.heartbeat();
  const keepalive = setInterval(() => ctx.heartbeat(), KEEPALIVE_MS);
  try {
    let lastEvent = 0;
    const onProgress = (update: PluginProgress) => {
      ctx.heartbeat();
      const now = Date.now();
      if (now - lastEvent < PROGRESS_EVENT_INTERVAL_MS) return;
      lastEvent = now;
      void event('CANDIDATE_PROGRESS', {
        candidateKey: lead,
        stepId: step.id,
        plugin: step.plugin,
        sharedBy: candidates,
        step: update.step,
        ...(update.total === undefined ? {} : { steps: update.total }),
        ...(update.epoch === undefined ? {} : { epoch: update.epoch }),
        ...(update.epochs === undefined ? {} : { epochs: update.epochs }),
        ...(update.loss === undefined ? {} : { loss: update.loss }),
        ...(update.metrics ? { metrics: update.metrics } : {}),
        ...(update.samplesPerSecond === undefined ? {} : { samplesPerSecond: update.samplesPerSecond }),
        ...(update.etaSeconds === undefined ? {} : { etaSeconds: update.etaSeconds }),
        message: `${label}${update.message ? `: ${update.message}` : ''}`,
      });
    };
    if (ctx.signal.aborted) throw abortError();
    const dataset = capped(await loadDataset(deps, run), deps.sizes?.maxPluginSamples);
    const exportMetadata = stepExportMetadata(deps, run, dataset);
    const identity = stepIdentity(deps, run, versions, step, step.inputSha256, exportMetadata);
    const { key, outputs, source } = await runStoredStep(deps.db, ref.orgId, identity, () => applyPlugin(deps, ctx, run, identity, dataset, onProgress, exportMetadata));
    const names = outputs.map((o) => o.name);
    await event('CANDIDATE_PROGRESS', {
      candidateKey: lead,
      stepId: step.id,
      plugin: step.plugin,
      sharedBy: candidates,
      stepKey: key,
      source,
      outputs: names,
      message: `${label}: ${source === 'ran' ? 'one call' : 'found finished'} → ${outputs.length} model(s) (${names.join(', ')}) for ${candidates.length} candidate(s)`,
    });
    return { key, outputs, source };
  } finally {
    clearInterval(keepalive);
  }
}
