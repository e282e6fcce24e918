// The planner as the orchestration's `planCandidates` activity sees it (services/activities/deps.ts
// `Planner`): a run's targets, techniques and constraints in, `{ candidates: PlannedCandidate[] }`
// out. Each candidate runs as its own activities there; steps the candidates share (the joint
// distillation call every distill chain names, picking its own student) run once, because the
// compress activity stores each step's result under its content address (activities/steps.ts).
import type { PlanRequest } from '../activities/deps.ts';
import type { Plan, PlannedCandidate } from '../../workflows/types.ts';
import { getTarget } from '../targets/index.ts';
import { DEFAULT_BUDGET_SECONDS } from './budget.ts';
import { planCandidates } from './plan.ts';
import type { CandidatePlan, ChainFamily, PlanConstraints, PlannerInput } from './types.ts';

/** Planner settings a deployment (or a benchmark) may fix for every run it plans; `fixedEpochs`
 * plans with `budget`'s epochs instead of the run's time budget. */
export type PlanTuning = Pick<PlannerInput, 'budget' | 'families' | 'students' | 'pruneSparsity'> & { fixedEpochs?: boolean };

/** The run's stored constraints as the planner's judge reads them (non-numbers = not set). */
export function constraintsOf(raw: Record<string, unknown>): PlanConstraints {
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);
  return { maxBytes: num(raw.maxBytes), maxLatencyMs: num(raw.maxLatencyMs), minAccuracy: num(raw.minAccuracy), maxAccuracyDrop: num(raw.maxAccuracyDrop) };
}

/** A user-chosen chain: their techniques in order on every target, ending in the target's format. */
function explicitChains(request: PlanRequest): PlannedCandidate[] {
  const techniques = request.run.techniques ?? [];
  return request.run.targets.map((targetId) => {
    const target = getTarget(targetId);
    return {
      key: `${targetId}:${techniques.map((t) => t.plugin).join('+') || 'export'}+${target.preferredQuantization}`,
      chain: techniques.map((t) => ({ plugin: t.plugin, config: t.config === 'auto' || !t.config ? {} : t.config })),
      target: targetId,
      quantization: target.preferredQuantization,
    };
  });
}

/** Strips planner-only fields so the plan is exactly the orchestration's recorded shape. */
function toPlanned(plan: CandidatePlan): PlannedCandidate {
  return { key: plan.key, chain: plan.chain.map((s) => ({ plugin: s.plugin, config: s.config, ...(s.pick ? { pick: s.pick } : {}) })), target: plan.target, quantization: plan.quantization };
}

/** The chain families that only read a teacher's outputs: what a teacher-only upload is planned with. */
export const TEACHER_ONLY_FAMILIES: readonly ChainFamily[] = ['distill', 'distill-prune', 'project'];

export function planForRun(request: PlanRequest, tuning: PlanTuning = {}): Plan {
  if (request.run.techniques && request.run.techniques.length > 0) return { candidates: explicitChains(request) };
  const families = request.validated.model.teacherOnly
    ? (tuning.families ?? TEACHER_ONLY_FAMILIES).filter((f) => TEACHER_ONLY_FAMILIES.includes(f))
    : tuning.families;
  const plans = planCandidates({
    dataset: { kind: 'tensor', inputShape: request.validated.dataset.inputShape, numClasses: request.validated.dataset.numClasses, ...(request.validated.dataset.texts ? { texts: true } : {}) },
    targets: request.run.targets,
    plugins: request.plugins,
    constraints: constraintsOf(request.run.constraints),
    ...(tuning.fixedEpochs ? {} : { seconds: request.run.budgetSeconds ?? DEFAULT_BUDGET_SECONDS }),
    ...(tuning.budget ? { budget: tuning.budget } : {}),
    ...(families ? { families: [...families] } : {}),
    ...(tuning.students ? { students: tuning.students } : {}),
    ...(tuning.pruneSparsity !== undefined ? { pruneSparsity: tuning.pruneSparsity } : {}),
  });
  return { candidates: plans.map(toPlanned) };
}
