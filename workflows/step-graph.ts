// The plan as a graph of steps: a step is one plugin call on one input — the uploaded model, or
// one named output of an earlier step. Candidates whose chains begin with the same calls share
// those steps (every distillation chain names the one joint call that trains all students and
// picks its own student; a pruning step three targets use is one step), so each runs once per
// run. Pure and deterministic (it runs inside the Temporal workflow): ids follow plan order.
import type { Plan, PlannedCandidate } from './types.ts';

export interface GraphStep {
  /** 's1', 's2', … in order of first use in the plan. */
  id: string;
  plugin: string;
  config: Record<string, unknown>;
  /** The step whose output this step takes, and the output's name (undefined = the first). */
  parent: { id: string; pick: string | undefined } | null;
  /** Keys of the candidates whose chains run through this step, in plan order. */
  candidates: string[];
}

export interface GraphCandidate {
  candidate: PlannedCandidate;
  /** The step id of each chain position. */
  steps: string[];
}

export interface StepGraph {
  steps: GraphStep[];
  candidates: GraphCandidate[];
}

/** JSON with sorted object keys: configs that differ only in key order are one step. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    return `{${Object.keys(o).sort().map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export function stepGraph(plan: Plan): StepGraph {
  const byIdentity = new Map<string, GraphStep>();
  const steps: GraphStep[] = [];
  const candidates = plan.candidates.map((candidate) => {
    let parent: GraphStep['parent'] = null;
    const ids: string[] = [];
    for (const link of candidate.chain) {
      const identity = canonical([parent?.id ?? null, parent?.pick ?? null, link.plugin, link.config]);
      let step = byIdentity.get(identity);
      if (!step) {
        step = { id: `s${steps.length + 1}`, plugin: link.plugin, config: link.config, parent, candidates: [] };
        byIdentity.set(identity, step);
        steps.push(step);
      }
      if (!step.candidates.includes(candidate.key)) step.candidates.push(candidate.key);
      ids.push(step.id);
      parent = { id: step.id, pick: link.pick };
    }
    return { candidate, steps: ids };
  });
  return { steps, candidates };
}
