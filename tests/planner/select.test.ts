// Pareto marking and rejection reasons of the planner's selection (pure).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { accuracyDropLimit, DEFAULT_MAX_ACCURACY_DROP, dominates, paretoFront, rejectionReasons, selectResults, type MeasuredCandidate } from '../../services/planner/index.ts';

/** Accepts any accuracy: isolates the other rules from the default accuracy-drop rule. */
const anyAccuracy = { maxAccuracyDrop: 1 };

function cand(key: string, bytes: number, accuracy: number, latency: number, extra: Partial<MeasuredCandidate> = {}): MeasuredCandidate {
  return {
    key, label: key, target: extra.target ?? 'cpu-int8', quantization: 'int8', bytes, accuracy, estimatedLatencyMs: latency,
    fit: { fits: true, failures: [] }, ...extra,
  };
}

const baseline = { accuracy: 0.9 };

describe('dominates / paretoFront', () => {
  it('dominates needs no-worse on all three objectives and better on one', () => {
    const a = cand('a', 100, 0.9, 1);
    assert.equal(dominates(a, cand('b', 200, 0.9, 1)), true);
    assert.equal(dominates(a, cand('b', 100, 0.8, 1)), true);
    assert.equal(dominates(a, cand('b', 100, 0.9, 2)), true);
    assert.equal(dominates(a, cand('b', 100, 0.9, 1)), false, 'equal candidates do not dominate each other');
    assert.equal(dominates(a, cand('b', 50, 0.8, 1)), false, 'a trade-off is not domination');
    assert.equal(dominates(cand('b', 50, 0.8, 1), a), false);
  });

  it('keeps every non-dominated trade-off and drops the dominated, in input order', () => {
    const small = cand('small', 10, 0.80, 1);
    const mid = cand('mid', 50, 0.88, 2);
    const big = cand('big', 100, 0.92, 3);
    const bad = cand('bad', 60, 0.85, 2.5); // worse than mid everywhere
    const fast = cand('fast', 200, 0.70, 0.5); // fastest: a trade-off on latency
    const twin = cand('twin', 50, 0.88, 2); // identical to mid: both stay
    assert.deepEqual(paretoFront([small, mid, bad, big, fast, twin]).map((c) => c.key), ['small', 'mid', 'big', 'fast', 'twin']);
  });

  it('exhaustively agrees with the definition on a 3×3×3 grid', () => {
    const grid: MeasuredCandidate[] = [];
    for (const b of [1, 2, 3]) for (const a of [0.7, 0.8, 0.9]) for (const l of [1, 2, 3]) grid.push(cand(`${b}-${a}-${l}`, b, a, l));
    const front = paretoFront(grid).map((c) => c.key);
    // Only the candidate best on every axis survives: it dominates all others.
    assert.deepEqual(front, ['1-0.9-1']);
    const noBest = grid.filter((c) => c.key !== '1-0.9-1');
    const front2 = paretoFront(noBest).map((c) => c.key).sort();
    assert.deepEqual(front2, ['1-0.8-1', '1-0.9-2', '2-0.9-1'].sort());
  });
});

describe('rejectionReasons', () => {
  it('accepts a candidate that meets every constraint and fits', () => {
    assert.deepEqual(rejectionReasons(cand('a', 1000, 0.89, 1), { maxBytes: 1000, maxLatencyMs: 1, minAccuracy: 0.89, maxAccuracyDrop: 0.01 }, baseline), []);
  });

  it('names each violated constraint with its figures', () => {
    const reasons = rejectionReasons(cand('a', 2000, 0.8, 5), { maxBytes: 1000, maxLatencyMs: 2, minAccuracy: 0.85, maxAccuracyDrop: 0.05 }, baseline);
    assert.deepEqual(reasons.map((r) => r.rule), ['max-bytes', 'max-latency', 'min-accuracy', 'max-accuracy-drop']);
    assert.match(reasons[0].message, /2000 bytes is over the 1000-byte limit/);
    assert.match(reasons[1].message, /estimated 5\.00 ms on cpu-int8 is over the 2 ms limit/);
    assert.match(reasons[2].message, /accuracy 80\.0% is below the minimum 85\.0%/);
    assert.match(reasons[3].message, /accuracy drop 10\.0 points \(90\.0% → 80\.0%\) is over the allowed 5\.0 points/);
  });

  it('null constraints are not set; with no accuracy constraint the default drop rule applies', () => {
    const none = { maxBytes: null, maxLatencyMs: null, minAccuracy: null, maxAccuracyDrop: null };
    assert.deepEqual(rejectionReasons(cand('a', 1e9, 0.9 - DEFAULT_MAX_ACCURACY_DROP, 1e6), none, baseline), [], 'exactly the default drop is allowed');
    assert.deepEqual(rejectionReasons(cand('a', 1e9, 0.1, 1e6), none, baseline).map((r) => r.rule), ['max-accuracy-drop']);
    assert.deepEqual(rejectionReasons(cand('a', 1e9, 0.1, 1e6), { ...none, maxAccuracyDrop: 1 }, baseline), [], 'maxAccuracyDrop 1 accepts any accuracy');
  });

  it('does not offer a student far below the teacher as fitting (the demo\'s 39 % student beside a 97.5 % teacher)', () => {
    const teacher = { accuracy: 0.975, chanceAccuracy: 0.1 };
    const student = cand('cpu-int8:distill-sixteenth+int8', 20_000, 0.39, 0.05);
    const int8 = cand('cpu-int8:quantize+int8', 230_000, 0.974, 0.2);
    const pruned = cand('cpu-int8:prune-60-distill+int8', 43_000, 0.97, 0.1);
    const reasons = rejectionReasons(student, {}, teacher);
    assert.deepEqual(reasons.map((r) => r.rule), ['max-accuracy-drop']);
    assert.match(reasons[0].message, /accuracy drop 58\.5 points \(97\.5% → 39\.0%\) is over the allowed 5\.0 points \(the default when a run sets no accuracy constraint; set maxAccuracyDrop to change it\)/);
    const sel = selectResults([int8, pruned, student], {}, teacher);
    assert.deepEqual(sel.targets, [{ target: 'cpu-int8', pareto: ['cpu-int8:quantize+int8', 'cpu-int8:prune-60-distill+int8'], bestEffort: false }]);
    const v = sel.verdicts.find((x) => x.key === student.key)!;
    assert.equal(v.accepted, false);
    assert.equal(v.pareto, false, 'smallest and fastest, but not on the front');
  });

  it('a run\'s own accuracy constraint replaces the default', () => {
    assert.deepEqual(accuracyDropLimit({}), { limit: DEFAULT_MAX_ACCURACY_DROP, isDefault: true });
    assert.deepEqual(accuracyDropLimit({ maxAccuracyDrop: 0.2 }), { limit: 0.2, isDefault: false });
    assert.deepEqual(accuracyDropLimit({ minAccuracy: 0.5 }), { limit: null, isDefault: false });
    // 80 % against 90 %: over the default 5 points, within a user's 20, and above a user's minimum of 50 %.
    const c = cand('a', 10, 0.8, 1);
    assert.deepEqual(rejectionReasons(c, {}, baseline).map((r) => r.rule), ['max-accuracy-drop']);
    assert.deepEqual(rejectionReasons(c, { maxAccuracyDrop: 0.2 }, baseline), []);
    assert.deepEqual(rejectionReasons(c, { minAccuracy: 0.5 }, baseline), []);
    assert.doesNotMatch(rejectionReasons(c, { maxAccuracyDrop: 0.05 }, baseline)[0].message, /default/, 'a user-set limit is not called the default');
  });

  it('reports target-fit failures with their rule, before constraints', () => {
    const c = cand('a', 2000, 0.9, 1, { fit: { fits: false, failures: [{ rule: 'op-set', message: 'mcu-int8 cannot run op GELU' }, { rule: 'file-size', message: 'too big' }] } });
    const reasons = rejectionReasons(c, { maxBytes: 1000 }, baseline);
    assert.deepEqual(reasons.map((r) => r.rule), ['op-set', 'file-size', 'max-bytes']);
  });

  it('a failed candidate has exactly one reason: its failure', () => {
    const failed: MeasuredCandidate = { key: 'f', label: 'f', target: 'cpu-int8', quantization: 'int8', failure: { stage: 'compress', message: 'plugin "pruning" threw: boom' } };
    assert.deepEqual(rejectionReasons(failed, { maxBytes: 1 }, baseline), [{ rule: 'failed', message: 'compress failed: plugin "pruning" threw: boom' }]);
  });
});

describe('selectResults', () => {
  it('marks the front over accepted candidates per target and explains the rest', () => {
    const measured = [
      cand('int8:a', 100, 0.89, 1),
      cand('int8:b', 50, 0.85, 1), // drop 5 points: rejected
      cand('int8:c', 200, 0.895, 2),
      cand('int8:d', 300, 0.88, 3), // accepted but dominated by a
      cand('fp32:a', 400, 0.9, 4, { target: 'cpu-fp32' }),
      cand('fp32:b', 100, 0.5, 1, { target: 'cpu-fp32' }), // rejected
    ];
    const sel = selectResults(measured, { maxAccuracyDrop: 0.02 }, baseline);
    assert.equal(sel.bestEffort, false);
    assert.deepEqual(sel.targets, [
      { target: 'cpu-int8', pareto: ['int8:a', 'int8:c'], bestEffort: false },
      { target: 'cpu-fp32', pareto: ['fp32:a'], bestEffort: false },
    ]);
    const v = Object.fromEntries(sel.verdicts.map((x) => [x.key, x]));
    assert.equal(v['int8:b'].accepted, false);
    assert.equal(v['int8:b'].pareto, false, 'a rejected candidate is not on the front when others are accepted');
    assert.equal(v['int8:b'].reasons[0].rule, 'max-accuracy-drop');
    assert.equal(v['int8:d'].accepted, true);
    assert.equal(v['int8:d'].pareto, false);
    assert.deepEqual(v['int8:a'], { key: 'int8:a', target: 'cpu-int8', accepted: true, pareto: true, reasons: [] });
  });

  it('returns the best it found, marked best effort, when nothing meets the constraints', () => {
    const failed: MeasuredCandidate = { key: 'x', label: 'x', target: 'cpu-int8', quantization: 'int8', failure: { stage: 'export', message: 'unsupported layer' } };
    const measured = [cand('a', 100, 0.8, 1), cand('b', 50, 0.7, 1), cand('c', 200, 0.75, 2), failed];
    const sel = selectResults(measured, { minAccuracy: 0.95 }, baseline);
    assert.equal(sel.bestEffort, true);
    assert.deepEqual(sel.targets, [{ target: 'cpu-int8', pareto: ['a', 'b'], bestEffort: true }]);
    const v = Object.fromEntries(sel.verdicts.map((x) => [x.key, x]));
    assert.equal(v.a.pareto, true);
    assert.equal(v.a.accepted, false);
    assert.equal(v.a.reasons[0].rule, 'min-accuracy');
    assert.equal(v.x.pareto, false, 'a failed candidate never joins the front');
  });

  it('best effort is per target: one target can succeed while another cannot', () => {
    const measured = [cand('int8:a', 100, 0.9, 1), cand('mcu:a', 100, 0.9, 1, { target: 'mcu-int8', fit: { fits: false, failures: [{ rule: 'activation-memory', message: 'too much RAM' }] } })];
    const sel = selectResults(measured, {}, baseline);
    assert.equal(sel.bestEffort, false);
    assert.deepEqual(sel.targets.map((t) => [t.target, t.bestEffort, t.pareto]), [['cpu-int8', false, ['int8:a']], ['mcu-int8', true, ['mcu:a']]]);
  });

  it('rejects a model no better than guessing and keeps it off even a best-effort front', () => {
    const tenClasses = { accuracy: 0.9, chanceAccuracy: 0.1 };
    const guess = cand('guess', 10, 0.102, 0.5); // smallest and fastest, but it learned nothing
    assert.deepEqual(rejectionReasons(guess, anyAccuracy, tenClasses).map((r) => r.rule), ['no-better-than-chance']);
    assert.match(rejectionReasons(guess, anyAccuracy, tenClasses)[0].message, /accuracy 10\.2% is no better than guessing \(10\.0%\)/);
    assert.deepEqual(rejectionReasons(cand('ok', 10, 0.2, 0.5), anyAccuracy, tenClasses), [], '20% on ten classes has learned something');
    const sel = selectResults([cand('a', 100, 0.8, 1), guess], { minAccuracy: 0.95 }, tenClasses);
    assert.deepEqual(sel.targets, [{ target: 'cpu-int8', pareto: ['a'], bestEffort: true }]);
    const onlyGuesses = selectResults([guess], anyAccuracy, tenClasses);
    assert.deepEqual(onlyGuesses.targets[0].pareto, ['guess'], 'with nothing better, the best found is still returned');
  });

  it('rejects a broken export (file far below its own float source) and keeps it off every front', () => {
    // The smallest, fastest and here even the most accurate candidate: only its drop against its
    // own float model says the file is broken.
    const broken = cand('broken', 10, 0.85, 0.5, { sourceAccuracy: 0.99 });
    const honest = cand('honest', 100, 0.80, 1, { sourceAccuracy: 0.81 });
    const reasons = rejectionReasons(broken, anyAccuracy, baseline);
    assert.deepEqual(reasons.map((r) => r.rule), ['export-accuracy-loss']);
    assert.match(reasons[0].message, /scores 85\.0% but the float model it was exported from scores 99\.0% \(14\.0 points lost, more than the 3/);
    assert.deepEqual(rejectionReasons(cand('edge', 10, 0.96, 0.5, { sourceAccuracy: 0.99 }), anyAccuracy, baseline), [], 'exactly 3 points is allowed');
    assert.deepEqual(rejectionReasons(cand('no-source', 10, 0.5, 0.5), anyAccuracy, baseline), [], 'not measured (text models): no rule');
    const sel = selectResults([broken, honest], anyAccuracy, baseline);
    assert.deepEqual(sel.targets, [{ target: 'cpu-int8', pareto: ['honest'], bestEffort: false }]);
    const bestEffort = selectResults([broken, honest], { minAccuracy: 0.95 }, baseline);
    assert.deepEqual(bestEffort.targets, [{ target: 'cpu-int8', pareto: ['honest'], bestEffort: true }], 'not even on a best-effort front');
    const onlyBroken = selectResults([broken], anyAccuracy, baseline);
    assert.deepEqual(onlyBroken.targets, [{ target: 'cpu-int8', pareto: [], bestEffort: true }], 'a broken file is never offered, even alone');
  });

  it('rejects duplicate keys', () => {
    assert.throws(() => selectResults([cand('a', 1, 1, 1), cand('a', 2, 1, 1)], {}, baseline), /candidate key "a" appears twice/);
  });

  it('an empty run is best effort with empty fronts', () => {
    assert.deepEqual(selectResults([], {}, baseline), { verdicts: [], targets: [], bestEffort: true });
  });
});
