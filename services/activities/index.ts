// The real activities, bound to their dependencies. Workers (Temporal) and the embedded runner
// both execute exactly these.
import type { ActivityImplementations } from './context.ts';
import type { ActivityDeps } from './deps.ts';
import { compressCandidate } from './compress.ts';
import { exportCandidate } from './export.ts';
import { evaluateBaseline, evaluateCandidate } from './measure.ts';
import { planCandidates } from './plan.ts';
import { finishRun, storeCandidate } from './record.ts';
import { runStep } from './run-step.ts';
import { validateInputs } from './validate.ts';

export function createActivities(deps: ActivityDeps): ActivityImplementations {
  return {
    validateInputs: (ctx, input) => validateInputs(deps, ctx, input),
    evaluateBaseline: (ctx, input) => evaluateBaseline(deps, ctx, input),
    planCandidates: (ctx, input) => planCandidates(deps, ctx, input),
    compressCandidate: (ctx, input) => compressCandidate(deps, ctx, input),
    runStep: (ctx, input) => runStep(deps, ctx, input),
    exportCandidate: (ctx, input) => exportCandidate(deps, ctx, input),
    evaluateCandidate: (ctx, input) => evaluateCandidate(deps, ctx, input),
    storeCandidate: (ctx, input) => storeCandidate(deps, ctx, input),
    finishRun: (ctx, input) => finishRun(deps, ctx, input),
  };
}

export type { ActivityContext, ActivityImplementations } from './context.ts';
export { NonRetryableError } from './context.ts';
export type { ActivityDeps, ActivitySizes, PluginInvoker, Planner, PlanRequest } from './deps.ts';
export { pluginInvoker } from './plugin-invoker.ts';
