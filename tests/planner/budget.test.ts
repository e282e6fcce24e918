// The budget allocator (services/planner/budget.ts) and how the planner spends a budget: pure,
// reproducible, more seconds buy more trials and prune → distill, and the planner's picks name
// exactly the trials the distillation plugin returns.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { trialName, type StudentSpec } from '@condense/plugin-distillation';
import {
  allocateBudget, checkBudgetSeconds, DEFAULT_BUDGET_SECONDS, parseBudget, SIZE_TIERS, studentTrialName,
} from '../../services/planner/budget.ts';
import { planCandidates, planForRun, type PlannerPluginInfo } from '../../services/planner/index.ts';

const ALL: PlannerPluginInfo[] = [
  { name: 'quantization', kind: 'quantization', hardwareTargets: ['*'] },
  { name: 'pruning', kind: 'pruning', hardwareTargets: ['*'] },
  { name: 'distillation', kind: 'distillation', hardwareTargets: ['*'] },
];
const image = { kind: 'tensor' as const, inputShape: [28, 28, 1], numClasses: 10 };

describe('budget allocator', () => {
  it('reads budgets like 90s, 10m, 1.5h and refuses what it cannot read or what is out of range', () => {
    assert.equal(parseBudget('90'), 90);
    assert.equal(parseBudget('90s'), 90);
    assert.equal(parseBudget('10m'), 600);
    assert.equal(parseBudget('1.5h'), 5400);
    assert.throws(() => parseBudget('ten minutes'), /cannot read budget "ten minutes"/);
    assert.throws(() => checkBudgetSeconds(1), /budget must be between 5 s/);
    assert.throws(() => checkBudgetSeconds(Number.NaN), /budget must be between/);
    assert.throws(() => allocateBudget({ seconds: 2, image: true, canPruneThenDistill: true }), /budget must be between/);
  });

  it('is a pure function of its input: the same budget gives the same allocation', () => {
    const a = allocateBudget({ seconds: 300, image: true, canPruneThenDistill: true });
    const b = allocateBudget({ seconds: 300, image: true, canPruneThenDistill: true });
    assert.deepEqual(a, b);
  });

  it('spends more seconds on more trials per size tier, a (T, α) grid, and prune → distill', () => {
    const tiny = allocateBudget({ seconds: 20, image: true, canPruneThenDistill: true });
    const small = allocateBudget({ seconds: DEFAULT_BUDGET_SECONDS, image: true, canPruneThenDistill: true });
    const medium = allocateBudget({ seconds: 300, image: true, canPruneThenDistill: true });
    const large = allocateBudget({ seconds: 900, image: true, canPruneThenDistill: true });
    const huge = allocateBudget({ seconds: 1800, image: true, canPruneThenDistill: true });
    assert.deepEqual(tiny.pruneThenDistill, [], 'no prune → distill under 30 s');
    assert.equal(small.distill.students.length, SIZE_TIERS.length, 'one student per tier at the default budget');
    assert.deepEqual(small.pruneThenDistill.map((p) => p.size), [0.5]);
    assert.equal(small.distill.grid.length, 0);
    assert.deepEqual(small.distill.groupWeights, {}, 'under 240 s the tiers share the students\' seconds equally');
    assert.deepEqual(medium.distill.groupWeights, { sixteenth: 4 });
    assert.equal(medium.distill.students.length, 2 * SIZE_TIERS.length);
    assert.deepEqual(medium.pruneThenDistill.map((p) => p.size), [0.5, 0.25]);
    const cnnTiers = SIZE_TIERS.filter((t) => t.plainCnn).length;
    assert.equal(large.distill.students.length, 2 * (SIZE_TIERS.length - cnnTiers) + cnnTiers, 'a tier of the plain CNN has no other trial');
    assert.equal(large.distill.grid.length, 0);
    assert.equal(huge.distill.grid.length, 0, 'the (T, α) grid joins the wide search, from an hour');
    assert.equal(huge.distill.students.length, 2 * (SIZE_TIERS.length - cnnTiers) + cnnTiers, 'two trials per tier up to an hour');
    const hour = allocateBudget({ seconds: 3600, image: true, canPruneThenDistill: true });
    assert.equal(hour.distill.students.length, 4 * (SIZE_TIERS.length - cnnTiers) + cnnTiers, 'from an hour the generic variants at half depth and resolution join');
    assert.equal(hour.distill.grid.length, 2);
    assert.deepEqual(allocateBudget({ seconds: 900, image: true, canPruneThenDistill: false }).pruneThenDistill, []);
    // Each tier is one search group; its first trial — the only one under 240 s — is the teacher
    // at the tier's width, falling back to a generic student of the tier that no other trial of
    // the tier already is; from 900 s the smallest tier trains a plain CNN of at most teacherWidth² of the
    // teacher's parameters instead.
    for (const a of [tiny, small, medium, large, huge, hour]) {
      for (const tier of SIZE_TIERS) {
        const members = a.distill.students.filter((s) => s.group === tier.name);
        if (tier.plainCnn && a.seconds >= 900) {
          const cnn = members.shift()!;
          assert.ok(!('teacherWidth' in cnn) && cnn.family === 'cnn', `${a.seconds} s, ${tier.name}: the plain CNN comes first`);
          assert.equal(cnn.maxParamsFraction, tier.teacherWidth ** 2);
          assert.equal(members.length, 0, 'the plain CNN is its tier\'s only trial');
          continue;
        }
        const [first, ...rest] = members;
        assert.ok('teacherWidth' in first, `${a.seconds} s, ${tier.name}: the teacher-derived student comes first`);
        assert.equal(first.teacherWidth, tier.teacherWidth);
        assert.equal(first.fallback.group, tier.name);
        assert.equal(first.fallback.maxParamsFraction, tier.fraction);
        assert.ok(rest.every((s) => !('teacherWidth' in s)));
        assert.ok(!rest.some((s) => JSON.stringify(s) === JSON.stringify(first.fallback)), 'the fallback is not a trial of its own');
      }
    }
    for (const tier of SIZE_TIERS) assert.equal(medium.distill.students.filter((s) => s.group === tier.name).length, 2, 'from 240 s two trials per tier');
    for (const tier of SIZE_TIERS) assert.equal(large.distill.students.filter((s) => s.group === tier.name).length, tier.plainCnn ? 1 : 2);
    assert.deepEqual(small.distill.students.map((s) => ('teacherWidth' in s ? s.teacherWidth : s.family)), SIZE_TIERS.map((t) => t.teacherWidth), 'at the default budget every trial is teacher-derived: a net from scratch gets too few epochs');
    assert.ok(SIZE_TIERS.at(-1)!.plainCnn, 'the smallest tier starts with the plain CNN from 900 s');
    assert.ok('teacherWidth' in medium.distill.students.find((s) => s.group === SIZE_TIERS.at(-1)!.name)!, 'under 900 s the teacher at width 0.2 leads it');
    assert.ok(!('teacherWidth' in large.distill.students.find((s) => s.group === SIZE_TIERS.at(-1)!.name)!));
    // Vector data has no plain CNN: its smallest tier starts with the teacher narrowed.
    assert.ok(allocateBudget({ seconds: 300, image: false, canPruneThenDistill: false }).distill.students.every((s) => 'teacherWidth' in s));
    // The pruned teacher gets the larger share at every budget (students from scratch stay far
    // below the teacher), its half-size level the larger part of it.
    assert.ok(small.pruneThenDistill[0]!.seconds > small.distill.seconds, 'at the default budget prune → distill gets more than the students from scratch');
    for (const a of [medium, large, huge]) {
      assert.ok(a.pruneThenDistill.reduce((n, p) => n + p.seconds, 0) > a.distill.seconds, `${a.seconds} s: prune → distill gets more than the search`);
      assert.ok(a.pruneThenDistill[0]!.seconds > a.pruneThenDistill[1]!.seconds, `${a.seconds} s: the half-size level gets more than the smaller one`);
      assert.deepEqual(a.pruneThenDistill.map((l) => [l.residual, l.residualShare, l.learningRate]), [['keep', 1, 0.001], ['together', 0.5, 0.003]], 'the quarter net prunes its residual path too, and distils at a higher rate');
    }
    // From 30 minutes the quarter level's share doubles (15 → 30 %), the half level's falls to 45 %.
    const shares = (seconds: number) => allocateBudget({ seconds, image: true, canPruneThenDistill: true }).pruneThenDistill.map((l) => l.seconds / seconds);
    assert.deepEqual(shares(1140).map((v) => Number(v.toFixed(3))), [0.6, 0.15]);
    assert.deepEqual(shares(2700).map((v) => Number(v.toFixed(3))), [0.45, 0.3]);
    // The shares never exceed the budget.
    for (const a of [tiny, small, medium, large, huge]) assert.ok(a.distill.seconds + a.pruneThenDistill.reduce((n, p) => n + p.seconds, 0) <= a.seconds);
    // Vector data: one trial per tier (the teacher narrowed, or an MLP), no grid.
    assert.equal(allocateBudget({ seconds: 900, image: false, canPruneThenDistill: false }).distill.students.length, SIZE_TIERS.length);
  });

  it("names each trial exactly as the distillation plugin names its candidate", () => {
    const { distill } = allocateBudget({ seconds: 3600, image: true, canPruneThenDistill: true });
    assert.equal(distill.grid.length, 2);
    for (const student of distill.students) {
      for (const point of distill.grid) {
        assert.equal(studentTrialName(student, point, distill.grid.length), trialName(student as StudentSpec, point, distill.grid.length));
      }
      assert.equal(studentTrialName(student, { temperature: 4, alpha: 0.3 }, 1), trialName(student as StudentSpec, { temperature: 4, alpha: 0.3 }, 1));
    }
  });
});

describe('planner with a budget', () => {
  it('plans one shared joint distillation call (budgetSeconds, trials, halving) with one chain per trial, and prune → distill', () => {
    const plans = planCandidates({ dataset: image, targets: ['cpu-int8', 'mcu-int8'], plugins: ALL, seconds: 300 });
    const distills = plans.filter((p) => p.family === 'distill');
    assert.equal(distills.length, 2 * (2 * SIZE_TIERS.length), 'two targets × two trials per tier (the plain CNN leads the smallest alone from 900 s)');
    const calls = new Set(distills.map((p) => JSON.stringify(p.chain[0].config)));
    assert.equal(calls.size, 1, 'every distill chain names the same call, so it runs once per run');
    const config = distills[0].chain[0].config as { budgetSeconds: number; students: unknown[]; halvingEta: number };
    assert.equal(config.budgetSeconds, allocateBudget({ seconds: 300, image: true, canPruneThenDistill: true }).distill.seconds);
    assert.equal(config.halvingEta, 2);
    // The smallest tier (its students need the most epochs; from 900 s the plain CNN, from scratch) gets the larger share of the students' seconds.
    assert.deepEqual((config as unknown as { groupWeights: Record<string, number> }).groupWeights, { sixteenth: 4 });
    assert.equal(new Set(distills.map((p) => p.chain[0].pick)).size, 2 * SIZE_TIERS.length);
    const pd = plans.filter((p) => p.family === 'prune-distill');
    assert.equal(pd.length, 2 * 2, 'two targets × two pruning levels');
    assert.deepEqual(pd.filter((p) => p.target === 'cpu-int8').map((p) => [p.chain[0].config.targetSize, p.chain[0].config.sizeQuantization]), [[0.5, 'int8'], [0.25, 'int8']]);
    assert.deepEqual(pd[0].chain.map((s) => [s.plugin, s.kind]), [['pruning', 'pruning'], ['distillation', 'distillation'], ['quantization', 'quantization']]);
    assert.deepEqual(pd[0].chain[1].config.students, ['self']);
    assert.equal(pd[0].chain[0].config.mode, 'structured');
    assert.equal(pd[0].chain[1].config.mixup, 0, 'the pruned teacher is fine-tuned by distillation without mixup');
  });

  it('prune → distill levels share their pruning call with the prune candidate; distill → prune only for the run\'s maxBytes', () => {
    const plans = planCandidates({ dataset: image, targets: ['mcu-int8'], plugins: ALL, seconds: 300 });
    const prune = plans.filter((p) => p.family === 'prune');
    assert.deepEqual(prune.map((p) => p.key), ['mcu-int8:prune-size-50+int8']);
    const half = plans.find((p) => p.key === 'mcu-int8:prune-size-50-distill+int8')!;
    assert.deepEqual(prune[0]!.chain[0], half.chain[0], 'the same call: it runs once');
    assert.ok(!plans.some((p) => p.family === 'distill-prune'), 'the ½ and ¼ levels cover the microcontroller\'s sizes');
    const unset = planCandidates({ dataset: image, targets: ['mcu-int8'], plugins: ALL, seconds: 300, constraints: { maxBytes: null, maxLatencyMs: null, minAccuracy: null, maxAccuracyDrop: null } });
    assert.ok(!unset.some((p) => p.family === 'distill-prune'), 'a run\'s unset maxBytes (null, as constraintsOf reads it) is no size limit');
    const limited = planCandidates({ dataset: image, targets: ['mcu-int8'], plugins: ALL, seconds: 300, constraints: { maxBytes: 100_000 } });
    assert.ok(limited.some((p) => p.family === 'distill-prune'), 'a maxBytes the user set keeps distill → prune');
    // One level (a short budget): the fixed-sparsity prune chain stays, for the size under ½.
    const short = planCandidates({ dataset: image, targets: ['mcu-int8'], plugins: ALL, seconds: 60 });
    assert.deepEqual(short.filter((p) => p.family === 'prune').map((p) => [p.key, p.chain[0]!.config.targetSparsity]), [['mcu-int8:prune-50+int8', 0.5]]);
    assert.deepEqual(short.filter((p) => p.family === 'prune-distill').map((p) => p.key), ['mcu-int8:prune-size-50-distill+int8']);
  });

  it('the same budget plans the same run; the orchestration uses the default budget when the run sets none', () => {
    const input = { dataset: image, targets: ['cpu-int8'], plugins: ALL, seconds: 300 };
    assert.deepEqual(planCandidates(input), planCandidates(input));
    const request = (budgetSeconds?: number | null) => ({
      run: { targets: ['cpu-int8'], techniques: null, constraints: {}, budgetSeconds },
      validated: { model: { format: 'keras', parameterCount: 1000, inputShape: [28, 28, 1], outputShape: [10] }, dataset: { format: 'npz', numClasses: 10, sampleCount: 100, inputShape: [28, 28, 1] }, targets: ['cpu-int8'] },
      baseline: { accuracy: 0.9, parameterCount: 1000, bytes: 4000, hostLatencyMs: null },
      plugins: ALL,
    });
    const byDefault = planForRun(request(null));
    const distill = byDefault.candidates.find((c) => c.chain[0]?.plugin === 'distillation')!;
    assert.equal(distill.chain[0].config.budgetSeconds, allocateBudget({ seconds: DEFAULT_BUDGET_SECONDS, image: true, canPruneThenDistill: true }).distill.seconds);
    const bigger = planForRun(request(600));
    assert.ok(bigger.candidates.length > byDefault.candidates.length, 'a larger budget plans more trials');
  });
});
