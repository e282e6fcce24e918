// The export-fidelity rule: an exported .tflite file must score like the float (tfjs) model it
// was exported from, on the same test samples. A file that loses more is a broken export (a wrong
// scale, a bad lowering), not a compression trade-off: it is rejected and never put on a Pareto
// front, best effort included. Used by the planner's selection (select.ts) and by the run
// records (services/activities/record.ts), so both paths judge it the same way.
import type { Rejection } from './types.ts';

/**
 * Largest accuracy (fraction of test samples) an exported file may lose against its own float
 * source. Post-training int8 costs well under one point on the models the export tests check
 * (top-1 agreement ≥ 99%); a broken lowering loses tens of points. Three points leaves room for
 * an honest int8 file on a small test split and still catches every broken one.
 */
export const MAX_EXPORT_ACCURACY_LOSS = 0.03;

/** The rule id, as it appears in `Rejection.rule` and in the API's `FitFailure.rule`. */
export const EXPORT_ACCURACY_LOSS_RULE = 'export-accuracy-loss';

const pct = (v: number) => `${(v * 100).toFixed(1)}%`;

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
