// The planner's prune → distill levels at a run's maxBytes: the first level prunes the teacher to
// the user's byte limit (the pruning plugin's targetBytes) instead of ½ of its file, with ½'s
// share of the budget; ¼ stays beside it. Pure planning, no model touched.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { allocateBudget } from '../../services/planner/budget.ts';
import { planCandidates, planForRun, type PlannerPluginInfo } from '../../services/planner/index.ts';

const ALL: PlannerPluginInfo[] = [
  { name: 'quantization', kind: 'quantization', hardwareTargets: ['*'] },
  { name: 'pruning', kind: 'pruning', hardwareTargets: ['*'] },
  { name: 'distillation', kind: 'distillation', hardwareTargets: ['*'] },
];
const image = { kind: 'tensor' as const, inputShape: [28, 28, 1], numClasses: 10 };

describe('prune → distill at the run\'s maxBytes', () => {
  it('the first level prunes to maxBytes with the share ½ would have had; ¼ stays', () => {
    const without = allocateBudget({ seconds: 600, image: true, canPruneThenDistill: true });
    const limited = allocateBudget({ seconds: 600, image: true, canPruneThenDistill: true, maxBytes: 12_000 });
    assert.deepEqual(without.pruneThenDistill.map((l) => [l.size, l.bytes]), [[0.5, undefined], [0.25, undefined]]);
    assert.deepEqual(limited.pruneThenDistill.map((l) => [l.size, l.bytes]), [[undefined, 12_000], [0.25, undefined]]);
    assert.deepEqual(limited.pruneThenDistill.map((l) => l.seconds), without.pruneThenDistill.map((l) => l.seconds));
    assert.match(limited.notes.join('\n'), /prune → distill to 12000 B \(the run's maxBytes\) and 0.25 of the teacher's file/);
    // One level under 240 s: it is the maxBytes one.
    assert.deepEqual(allocateBudget({ seconds: 60, image: true, canPruneThenDistill: true, maxBytes: 12_000 }).pruneThenDistill.map((l) => l.bytes), [12_000]);
    // An unset maxBytes (null, as constraintsOf reads it) is no level.
    assert.deepEqual(allocateBudget({ seconds: 600, image: true, canPruneThenDistill: true, maxBytes: null }).pruneThenDistill, without.pruneThenDistill);
  });

  it('plans the pruning plugin\'s targetBytes in the target\'s format, shared with the prune candidate', () => {
    const plans = planCandidates({ dataset: image, targets: ['mcu-int8', 'gpu-fp16'], plugins: ALL, seconds: 600, constraints: { maxBytes: 12_000 } });
    for (const [target, format] of [['mcu-int8', 'int8'], ['gpu-fp16', 'float16']] as const) {
      const pd = plans.filter((p) => p.family === 'prune-distill' && p.target === target);
      assert.deepEqual(pd.map((p) => p.key), [`${target}:prune-bytes-12000-distill+${format}`, `${target}:prune-size-25-distill+${format}`]);
      const [bytes, quarter] = pd;
      assert.deepEqual(
        { ...bytes!.chain[0]!.config, samplesPerEpoch: undefined },
        { mode: 'structured', targetBytes: 12_000, residual: 'keep', residualShare: 1, sizeQuantization: format, epochs: 1, endEpoch: 0.5, samplesPerEpoch: undefined },
      );
      assert.equal(quarter!.chain[0]!.config.targetSize, 0.25);
      assert.equal(quarter!.chain[0]!.config.targetBytes, undefined);
      assert.equal(bytes!.chain[1]!.config.budgetSeconds, allocateBudget({ seconds: 600, image: true, canPruneThenDistill: true }).pruneThenDistill[0]!.seconds);
      // The quarter level's net has lost most of the teacher's channels: it distils at a higher rate.
      assert.deepEqual([bytes!.chain[1]!.config.learningRate, quarter!.chain[1]!.config.learningRate], [0.001, 0.003]);
      // …and its residual path is pruned too, at half the others' sparsity.
      assert.deepEqual([quarter!.chain[0]!.config.residual, quarter!.chain[0]!.config.residualShare], ['together', 0.5]);
      assert.match(bytes!.label, /^prune\(structured to 12000 B\) → distill/);
      const prune = plans.filter((p) => p.family === 'prune' && p.target === target);
      assert.deepEqual(prune.map((p) => p.key), [`${target}:prune-bytes-12000+${format}`]);
      assert.deepEqual(prune[0]!.chain[0], bytes!.chain[0], 'the prune candidate is the same pruning call');
    }
  });

  it('through the orchestration: a run\'s maxBytes constraint reaches the level', () => {
    const plan = planForRun({
      run: { targets: ['mcu-int8'], techniques: null, constraints: { maxBytes: 20_000 }, budgetSeconds: 600 },
      validated: { model: { format: 'keras-h5', parameterCount: 100_000, inputShape: [28, 28, 1], outputShape: [10] }, dataset: { format: 'npz', numClasses: 10, sampleCount: 1000, inputShape: [28, 28, 1] }, targets: ['mcu-int8'] },
      baseline: { accuracy: 0.99, parameterCount: 100_000, bytes: 400_000, hostLatencyMs: null },
      plugins: ALL,
    });
    const level = plan.candidates.find((c) => c.key === 'mcu-int8:prune-bytes-20000-distill+int8');
    assert.ok(level, plan.candidates.map((c) => c.key).join(', '));
    assert.equal(level.chain[0]!.config.targetBytes, 20_000);
  });
});
