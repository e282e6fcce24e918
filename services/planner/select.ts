// The judge — the one place a run's candidates are judged, by every path (the orchestration's
// storeCandidate and finishRun, the CLI table, the API): which measured candidates meet the run's
// constraints and fit their target, why each other one does not (with its message), the chance
// rule, the export-fidelity rule, and the Pareto front per target over (bytes ↓, accuracy ↑,
// estimated latency ↓). When nothing for a target is acceptable, the front is taken over every
// measured candidate of that target that beats guessing and marked best effort, so a run never
// comes back empty-handed. A broken export is never on a front, best effort included.
import type {
  BaselineMeasure, CandidateVerdict, MeasuredCandidate, PlanConstraints, Rejection, Selection, TargetSelection,
} from './types.ts';

const pct = (v: number) => `${(v * 100).toFixed(1)}%`;

// The export-fidelity rule: an exported .tflite file must score like the float (tfjs) model it
// was exported from, on the same test samples. A file that loses more is a broken export (a wrong
// scale, a bad lowering), not a compression trade-off: it is rejected and never put on a Pareto
// front, best effort included.

/**
 * Largest accuracy (fraction of test samples) an exported file may lose against its own float
 * source. Post-training int8 costs well under one point on the models the export tests check
 * (top-1 agreement ≥ 99%); a broken lowering loses tens of points. Three points leaves room for
 * an honest int8 file on a small test split and still catches every broken one.
 */
export const MAX_EXPORT_ACCURACY_LOSS = 0.03;

/** The rule id, as it appears in `Rejection.rule` and in the API's `FitFailure.rule`. */
export const EXPORT_ACCURACY_LOSS_RULE = 'export-accuracy-loss';

/**
 * The rejection of an exported file scoring more than MAX_EXPORT_ACCURACY_LOSS below the float
 * model it came from (`sourceAccuracy`; undefined/null when it was not measured, e.g. text models).
 */
export function exportLossRejection(exportedAccuracy: number, sourceAccuracy: number | null | undefined): Rejection | undefined {
  if (sourceAccuracy === null || sourceAccuracy === undefined) return undefined;
  const loss = sourceAccuracy - exportedAccuracy;
  // A hair of tolerance: accuracies are ratios of sample counts, compared after subtraction.
  if (loss <= MAX_EXPORT_ACCURACY_LOSS + 1e-9) return undefined;
  return {
    rule: EXPORT_ACCURACY_LOSS_RULE,
    message: `the exported file scores ${pct(exportedAccuracy)} but the float model it was exported from scores ${pct(sourceAccuracy)}`
      + ` (${(loss * 100).toFixed(1)} points lost, more than the ${(MAX_EXPORT_ACCURACY_LOSS * 100).toFixed(0)} an export may cost): the file is broken`,
  };
}

/** True when these rejections include a broken export: such a candidate is never on a front. */
export function isBrokenExport(rules: ReadonlyArray<{ rule: string }>): boolean {
  return rules.some((r) => r.rule === EXPORT_ACCURACY_LOSS_RULE);
}

/** Within this many points of uniform guessing a model has learned nothing worth shipping. */
const CHANCE_MARGIN = 0.02;
const points = (v: number) => `${(v * 100).toFixed(1)} points`;

/** The rejection of a model whose accuracy is within a hair of uniform guessing, if it is. */
export function chanceRejection(accuracy: number, chanceAccuracy: number): Rejection | undefined {
  if (accuracy > chanceAccuracy + CHANCE_MARGIN) return undefined;
  return { rule: 'no-better-than-chance', message: `accuracy ${pct(accuracy)} is no better than guessing (${pct(chanceAccuracy)})` };
}

/**
 * The accuracy rule of a run that sets none: a candidate more than this far (5 points) below the
 * base model's float32 accuracy is not offered as fitting. Without it the smallest model of a run
 * sits on the Pareto front whatever it scores (the demo once offered a 39 % student beside a 97.5 %
 * teacher). A run that sets `maxAccuracyDrop` or `minAccuracy` judges by those instead; to accept
 * any accuracy, set `maxAccuracyDrop: 1`.
 */
export const DEFAULT_MAX_ACCURACY_DROP = 0.05;

/** The largest accuracy drop the run allows and whether it is the default (null = no drop rule). */
export function accuracyDropLimit(constraints: PlanConstraints): { limit: number | null; isDefault: boolean } {
  if (constraints.maxAccuracyDrop != null) return { limit: constraints.maxAccuracyDrop, isDefault: false };
  if (constraints.minAccuracy != null) return { limit: null, isDefault: false };
  return { limit: DEFAULT_MAX_ACCURACY_DROP, isDefault: true };
}

/** Every reason `c` is not acceptable (empty = acceptable). */
export function rejectionReasons(c: MeasuredCandidate, constraints: PlanConstraints, baseline: Pick<BaselineMeasure, 'accuracy' | 'chanceAccuracy'>): Rejection[] {
  if (c.failure) return [{ rule: 'failed', message: `${c.failure.stage} failed: ${c.failure.message}` }];
  if (c.accuracy === undefined || c.bytes === undefined || c.estimatedLatencyMs === undefined) {
    return [{ rule: 'failed', message: 'was not measured' }];
  }
  const reasons: Rejection[] = [];
  const chance = baseline.chanceAccuracy !== undefined ? chanceRejection(c.accuracy, baseline.chanceAccuracy) : undefined;
  if (chance) reasons.push(chance);
  const broken = exportLossRejection(c.accuracy, c.sourceAccuracy);
  if (broken) reasons.push(broken);
  for (const f of c.fit?.failures ?? []) reasons.push({ rule: f.rule, message: f.message });
  const { maxBytes, maxLatencyMs, minAccuracy } = constraints;
  const { limit: maxAccuracyDrop, isDefault: defaultDrop } = accuracyDropLimit(constraints);
  if (maxBytes != null && c.bytes > maxBytes) reasons.push({ rule: 'max-bytes', message: `${c.bytes} bytes is over the ${maxBytes}-byte limit` });
  if (maxLatencyMs != null && c.estimatedLatencyMs > maxLatencyMs) {
    reasons.push({ rule: 'max-latency', message: `estimated ${c.estimatedLatencyMs.toFixed(2)} ms on ${c.target} is over the ${maxLatencyMs} ms limit` });
  }
  if (minAccuracy != null && c.accuracy < minAccuracy) reasons.push({ rule: 'min-accuracy', message: `accuracy ${pct(c.accuracy)} is below the minimum ${pct(minAccuracy)}` });
  if (maxAccuracyDrop != null) {
    const drop = baseline.accuracy - c.accuracy;
    // A hair of tolerance: accuracies are ratios of sample counts, compared after subtraction.
    if (drop > maxAccuracyDrop + 1e-9) reasons.push({ rule: 'max-accuracy-drop', message: `accuracy drop ${points(drop)} (${pct(baseline.accuracy)} → ${pct(c.accuracy)}) is over the allowed ${points(maxAccuracyDrop)}${defaultDrop ? ' (the default when a run sets no accuracy constraint; set maxAccuracyDrop to change it)' : ''}` });
  }
  return reasons;
}

/** The three objectives of the Pareto front; every caller passes measured values. */
export type ParetoObjectives = Pick<MeasuredCandidate, 'bytes' | 'accuracy' | 'estimatedLatencyMs'>;

/** True when `a` is at least as good as `b` on all three objectives and better on one. */
export function dominates(a: ParetoObjectives, b: ParetoObjectives): boolean {
  const [ab, aa, al] = [a.bytes!, a.accuracy!, a.estimatedLatencyMs!];
  const [bb, ba, bl] = [b.bytes!, b.accuracy!, b.estimatedLatencyMs!];
  const noWorse = ab <= bb && aa >= ba && al <= bl;
  const better = ab < bb || aa > ba || al < bl;
  return noWorse && better;
}

/** The non-dominated members of `candidates` (all must be measured), in input order. */
export function paretoFront<T extends ParetoObjectives>(candidates: T[]): T[] {
  return candidates.filter((c) => !candidates.some((o) => o !== c && dominates(o, c)));
}

/**
 * What a target's Pareto front is taken over: its acceptable candidates or, when there are none,
 * best effort over those that beat guessing (all of them if none does). Broken exports
 * (`broken`) are left out in every case: a file that does not do what its model does is never
 * offered.
 */
export function frontPool<T>(
  candidates: T[], acceptable: (c: T) => boolean, guesses: (c: T) => boolean, broken: (c: T) => boolean,
): { pool: T[]; bestEffort: boolean } {
  const offerable = candidates.filter((c) => !broken(c));
  const accepted = offerable.filter(acceptable);
  if (accepted.length > 0) return { pool: accepted, bestEffort: false };
  const learned = offerable.filter((c) => !guesses(c));
  return { pool: learned.length > 0 ? learned : offerable, bestEffort: true };
}

/** What the per-target front needs of a judged candidate: its target, whether it is acceptable,
 * whether it only guesses, and its objectives (absent when it was not measured). */
export interface Judged<K> {
  id: K;
  target: string;
  acceptable: boolean;
  guesses: boolean;
  /** A broken export (the export-fidelity rule): never on a front. */
  broken: boolean;
  objectives?: ParetoObjectives;
}

/** The Pareto front of every target, in first-seen target order. The planner's selection and
 * the orchestration's finishRun both take the front this way (per target, never run-wide). */
export function paretoPerTarget<K>(candidates: Judged<K>[]): Array<{ target: string; front: K[]; bestEffort: boolean }> {
  const targetIds = [...new Set(candidates.map((c) => c.target))];
  return targetIds.map((target) => {
    const own = candidates.filter((c) => c.target === target && c.objectives !== undefined);
    const { pool, bestEffort } = frontPool(own, (c) => c.acceptable, (c) => c.guesses, (c) => c.broken);
    const front = paretoFront(pool.map((c) => ({ ...c.objectives!, id: c.id }))).map((c) => c.id);
    return { target, front, bestEffort };
  });
}

const measured = (c: MeasuredCandidate) => !c.failure && c.accuracy !== undefined && c.bytes !== undefined && c.estimatedLatencyMs !== undefined;

export function selectResults(candidates: MeasuredCandidate[], constraints: PlanConstraints, baseline: Pick<BaselineMeasure, 'accuracy' | 'chanceAccuracy'>): Selection {
  const keys = new Set<string>();
  for (const c of candidates) {
    if (keys.has(c.key)) throw new Error(`candidate key "${c.key}" appears twice`);
    keys.add(c.key);
  }
  const reasons = new Map(candidates.map((c) => [c.key, rejectionReasons(c, constraints, baseline)]));
  const fronts = paretoPerTarget(candidates.map((c) => ({
    id: c.key,
    target: c.target,
    acceptable: reasons.get(c.key)!.length === 0,
    guesses: reasons.get(c.key)!.some((r) => r.rule === 'no-better-than-chance'),
    broken: isBrokenExport(reasons.get(c.key)!),
    ...(measured(c) ? { objectives: { bytes: c.bytes, accuracy: c.accuracy, estimatedLatencyMs: c.estimatedLatencyMs } } : {}),
  })));
  const onFront = new Set(fronts.flatMap((f) => f.front));
  const targets: TargetSelection[] = fronts.map((f) => ({ target: f.target, pareto: f.front, bestEffort: f.bestEffort }));
  const verdicts: CandidateVerdict[] = candidates.map((c) => {
    const why = reasons.get(c.key)!;
    return { key: c.key, target: c.target, accepted: why.length === 0, pareto: onFront.has(c.key), reasons: why };
  });
  return { verdicts, targets, bestEffort: candidates.length === 0 || verdicts.every((v) => !v.accepted) };
}
