// The multi-candidate planner: plan technique chains (a run executes them as a step graph, see
// workflows/step-graph.ts), the one export path, and the judge (constraints, target fit, the
// chance and export-fidelity rules, the Pareto front per target).
export { planCandidates, PlanInputError } from './plan.ts';
export { measureArtifact, type MeasuredArtifact, type MeasureOptions } from './measure.ts';
export { exportForTarget, ioTypeFor, CALIBRATION_SAMPLES } from './export.ts';
export { selectResults, rejectionReasons, paretoFront, dominates, accuracyDropLimit, DEFAULT_MAX_ACCURACY_DROP } from './select.ts';
export { planForRun, type PlanTuning } from './orchestration.ts';
export { CHAIN_FAMILIES } from './types.ts';
export type {
  BaselineMeasure, CandidatePlan, CandidateVerdict, ChainFamily, ChainStep, ExportQuantization, MeasuredCandidate, PlanBudget,
  PlanConstraints, PlannerInput, PlannerPluginInfo, Rejection, Selection, TargetSelection,
} from './types.ts';
