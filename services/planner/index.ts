// The multi-candidate planner: plan technique chains, run them through the plugin host, measure
// the exported candidates, keep the Pareto front per target and say why the rest were rejected.
export { planCandidates, PlanInputError } from './plan.ts';
export { executeChain, ChainCache, type ChainOutcome, type ExecuteContext, type StepRecord } from './execute.ts';
export {
  measureArtifact, measureBaseline, measureCandidate, type MeasureCandidateInput, type MeasuredArtifact, type MeasureOptions,
} from './measure.ts';
export { exportForTarget, ioTypeFor, CALIBRATION_SAMPLES } from './export.ts';
export { selectResults, rejectionReasons, paretoFront, dominates } from './select.ts';
export { runPlanLocally, type LocalPlanOptions, type LocalPlanResult } from './local.ts';
export { planForRun } from './orchestration.ts';
export { CHAIN_FAMILIES } from './types.ts';
export type {
  BaselineMeasure, CandidatePlan, CandidateVerdict, ChainFamily, ChainStep, ExportQuantization, MeasuredCandidate, PlanBudget,
  PlanConstraints, PlannerInput, PlannerPluginInfo, Rejection, Selection, TargetSelection,
} from './types.ts';
