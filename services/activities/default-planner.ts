// A simple planner used until (or unless) a smarter one is configured: for every target, the
// base model exported in the target's preferred quantization, plus one single-technique chain per
// chosen (or, on "auto", installed and target-compatible) plugin.
import { getTarget } from '../targets/index.ts';
import type { Plan, PlannedCandidate } from '../../workflows/types.ts';
import type { PlanRequest } from './deps.ts';

export function defaultPlanner(request: PlanRequest): Plan {
  const candidates: PlannedCandidate[] = [];
  for (const targetId of request.run.targets) {
    const target = getTarget(targetId);
    const chains: PlannedCandidate['chain'][] = [];
    if (request.run.techniques) {
      chains.push(request.run.techniques.map((t) => ({ plugin: t.plugin, config: t.config === 'auto' || !t.config ? {} : t.config })));
    } else {
      chains.push([]);
      for (const plugin of request.plugins) {
        if (plugin.hardwareTargets.includes('*') || plugin.hardwareTargets.includes(targetId)) chains.push([{ plugin: plugin.name, config: {} }]);
      }
    }
    for (const chain of chains) {
      const key = `${chain.length ? chain.map((c) => c.plugin).join('+') : 'baseline'}/${targetId}`;
      if (!candidates.some((c) => c.key === key)) candidates.push({ key, chain, target: targetId, quantization: target.preferredQuantization });
    }
  }
  return { candidates };
}
