// planCandidates: asks the planner for the candidate technique chains of the run.
import { withTenant } from '../db/tenant.ts';
import { initEngine } from '../engine/backend/index.ts';
import { inspectModel } from '../engine/import/index.ts';
import { setRunPhase } from '../runs-store/index.ts';
import type { BaselineMetrics, Plan, RunRef } from '../../workflows/types.ts';
import { NonRetryableError, type ActivityContext } from './context.ts';
import type { ActivityDeps } from './deps.ts';
import { loadDataset, loadRun } from './inputs.ts';

export async function planCandidates(deps: ActivityDeps, _ctx: ActivityContext, input: RunRef & { baseline: BaselineMetrics }): Promise<Plan> {
  const ref = { orgId: input.orgId, runId: input.runId };
  const run = await loadRun(deps, ref);
  await withTenant(deps.db, ref.orgId, (trx) => setRunPhase(trx, { ...ref, phase: 'planning' }));
  const dataset = await loadDataset(deps, run);
  const teacherOnly = await isTeacherOnly(deps, run);
  const plan = await deps.planner({
    run: { targets: run.targets, techniques: run.techniques, constraints: { ...run.constraints }, budgetSeconds: run.budgetSeconds },
    validated: {
      model: { format: run.model.format, parameterCount: run.model.parameterCount, inputShape: dataset.info.inputShape, outputShape: [dataset.info.numClasses], ...(teacherOnly ? { teacherOnly } : {}) },
      dataset: { format: run.dataset.format, numClasses: dataset.info.numClasses, sampleCount: dataset.info.sampleCount, inputShape: dataset.info.inputShape, ...(dataset.info.texts ? { texts: true } : {}) },
      targets: run.targets,
    },
    baseline: input.baseline,
    plugins: deps.plugins.list(),
  });
  const known = new Set(deps.plugins.list().map((p) => p.name));
  for (const c of plan.candidates) {
    for (const step of c.chain) {
      if (!known.has(step.plugin)) throw new NonRetryableError('InvalidInput', `candidate ${c.key} uses plugin "${step.plugin}", which is not installed (installed: ${[...known].join(', ') || 'none'})`);
    }
  }
  await withTenant(deps.db, ref.orgId, (trx) => setRunPhase(trx, { ...ref, phase: 'candidates' }));
  // Plain JSON: the plan is recorded in the journal / history.
  return JSON.parse(JSON.stringify(plan)) as Plan;
}

/** A quantized .tflite upload: its dequantised weights teach students but are not compressed themselves. */
async function isTeacherOnly(deps: ActivityDeps, run: Awaited<ReturnType<typeof loadRun>>): Promise<boolean> {
  if (run.model.format !== 'tflite') return false;
  await initEngine();
  const inspected = await inspectModel({ filename: run.model.filename, bytes: await deps.blobs.read(run.model.blobSha256) });
  return inspected.teacherOnly === true;
}
