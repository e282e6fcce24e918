// planCandidates (pure): chains per dataset kind, target and installed plugins; the orchestration
// adapter's plan shape.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { planCandidates, planForRun, PlanInputError, type PlannerInput, type PlannerPluginInfo } from '../../services/planner/index.ts';

const ALL: PlannerPluginInfo[] = [
  { name: 'quantization', kind: 'quantization', hardwareTargets: ['*'] },
  { name: 'pruning', kind: 'pruning', hardwareTargets: ['*'] },
  { name: 'distillation', kind: 'distillation', hardwareTargets: ['*'] },
  { name: 'projection', kind: 'projection', hardwareTargets: ['*'] },
];
const image = { kind: 'tensor' as const, inputShape: [28, 28, 1], numClasses: 10 };
const text = { kind: 'text' as const, inputShape: [], numClasses: 2 };
const plan = (over: Partial<PlannerInput>) => planCandidates({ dataset: image, targets: ['cpu-int8'], plugins: ALL, ...over });

describe('planCandidates', () => {
  it('image data on an int8 target: quantize alone, prune, three distilled students, all ending in int8', () => {
    const plans = plan({});
    assert.deepEqual(plans.map((p) => p.key), [
      'cpu-int8:quantize+int8',
      'cpu-int8:quantize+dynamic-int8',
      'cpu-int8:prune-50+int8',
      'cpu-int8:distill-large+int8',
      'cpu-int8:distill-medium+int8',
      'cpu-int8:distill-small+int8',
    ]);
    const byKey = Object.fromEntries(plans.map((p) => [p.key, p]));
    assert.deepEqual(byKey['cpu-int8:quantize+int8'].chain.map((s) => s.plugin), ['quantization']);
    assert.deepEqual(byKey['cpu-int8:quantize+dynamic-int8'].chain, [], 'dynamic-int8 needs no training: export only');
    assert.deepEqual(byKey['cpu-int8:prune-50+int8'].chain.map((s) => s.plugin), ['pruning', 'quantization']);
    assert.equal(byKey['cpu-int8:prune-50+int8'].chain[0].config.mode, 'structured');
    const small = byKey['cpu-int8:distill-small+int8'];
    assert.equal(small.label, 'distill(small) → quantize(int8) → export(int8)');
    assert.deepEqual(small.chain.map((s) => s.plugin), ['distillation', 'quantization']);
    assert.deepEqual(small.chain[0].config.students, ['large', 'medium', 'small']);
    assert.equal(small.chain[0].pick, 'student-small');
    // One joint distillation call serves all three students: the same plugin and config, three picks.
    const distills = plans.filter((p) => p.family === 'distill').map((p) => p.chain[0]);
    assert.equal(new Set(distills.map((s) => JSON.stringify([s.plugin, s.config]))).size, 1);
    assert.deepEqual(distills.map((s) => s.pick), ['student-large', 'student-medium', 'student-small']);
    assert.ok(plans.every((p) => p.quantization === 'int8' || p.key.includes('dynamic')));
  });

  it('vector data plans the same families (the plugin picks MLP students)', () => {
    const plans = plan({ dataset: { kind: 'tensor', inputShape: [20], numClasses: 3 } });
    assert.ok(plans.some((p) => p.family === 'distill'));
  });

  it('raw text data: only ProjectionNet students at three sizes, one shared call, in the smallest float-I/O format the target accepts', () => {
    const plans = plan({ dataset: text, targets: ['cpu-fp32', 'cpu-int8', 'gpu-fp16'] });
    const sizes = ['256x8-h4', '256x8-h0', '128x8-h8'];
    assert.deepEqual(plans.map((p) => [p.key, p.chain.map((s) => s.plugin), p.quantization, p.chain[0].config.quantization, p.chain[0].pick]), [
      ...sizes.map((s) => [`cpu-fp32:project-${s}+dynamic-int8`, ['projection'], 'dynamic-int8', 'dynamic-int8', `projection-${s}`]),
      ...sizes.map((s) => [`cpu-int8:project-${s}+dynamic-int8`, ['projection'], 'dynamic-int8', 'dynamic-int8', `projection-${s}`]),
      ...sizes.map((s) => [`gpu-fp16:project-${s}+float16`, ['projection'], 'float16', 'float16', `projection-${s}`]),
    ]);
    // Every size of a target names the same call (trained once, beside one trainer).
    const cpu = plans.filter((p) => p.target === 'cpu-fp32').map((p) => JSON.stringify(p.chain[0].config));
    assert.equal(new Set(cpu).size, 1);
    // The GPU delegate has no LSH_PROJECTION: its students leave the hashing to the front end.
    assert.deepEqual([...new Set(plans.map((p) => `${p.target}:${p.chain[0].config.hashing ?? 'model'}`))], ['cpu-fp32:model', 'cpu-int8:model', 'gpu-fp16:front-end']);
  });

  it('token ids with the texts beside (a user text model): the usual chains plus ProjectionNet students', () => {
    const plans = plan({ dataset: { kind: 'tensor', texts: true, inputShape: [40], numClasses: 2 }, targets: ['cpu-int8'] });
    const families = new Set(plans.map((p) => p.family));
    for (const f of ['quantize', 'prune', 'distill', 'project']) assert.ok(families.has(f as never), `${f} planned`);
    assert.equal(plans.filter((p) => p.family === 'project').length, 3);
    // Vocabulary pruning (one call, one pick per coverage), then int8 through the quantizer.
    const vocabulary = plans.filter((p) => p.key.includes('prune-vocabulary-'));
    assert.deepEqual(vocabulary.map((p) => p.key), ['cpu-int8:prune-vocabulary-99+int8', 'cpu-int8:prune-vocabulary-97+int8']);
    assert.equal(new Set(vocabulary.map((p) => JSON.stringify(p.chain[0].config))).size, 1);
    assert.deepEqual(vocabulary.map((p) => [p.chain[0].config.mode, p.chain[0].pick, p.chain.at(-1)!.kind]), [['vocabulary', 'pruned-vocabulary-99', 'quantization'], ['vocabulary', 'pruned-vocabulary-97', 'quantization']]);
    // Without texts beside the token ids, no ProjectionNet and no vocabulary pruning.
    const ids = plan({ dataset: { kind: 'tensor', inputShape: [40], numClasses: 2 }, targets: ['cpu-int8'] });
    assert.ok(!ids.some((p) => p.family === 'project' || p.key.includes('vocabulary')));
  });

  it('text data without a projection plugin plans nothing', () => {
    assert.deepEqual(plan({ dataset: text, plugins: ALL.filter((p) => p.kind !== 'projection') }), []);
  });

  it('a float target ends compression chains in float32 and tries every smaller accepted format alone', () => {
    const plans = plan({ targets: ['cpu-fp32'] });
    assert.deepEqual(plans.filter((p) => p.family === 'quantize').map((p) => p.quantization), ['int8', 'dynamic-int8', 'float16']);
    const distill = plans.filter((p) => p.family === 'distill');
    assert.ok(distill.every((p) => p.quantization === 'float32' && p.chain.length === 1));
  });

  it('gpu-fp16 never plans int8', () => {
    const plans = plan({ targets: ['gpu-fp16'] });
    assert.ok(plans.length > 0);
    assert.ok(plans.every((p) => p.quantization === 'float16' && p.chain.every((s) => s.plugin !== 'quantization')));
  });

  it('a tight size budget (microcontroller) adds distill → prune', () => {
    const keys = plan({ targets: ['mcu-int8'] }).map((p) => p.key);
    assert.ok(keys.includes('mcu-int8:distill-medium-prune-50+int8'));
    assert.ok(!plan({}).some((p) => p.family === 'distill-prune'));
    assert.ok(plan({ constraints: { maxBytes: 200_000 } }).some((p) => p.family === 'distill-prune'));
  });

  it('several targets: keys are unique and each target gets its own chains', () => {
    const plans = plan({ targets: ['cpu-int8', 'edgetpu-int8', 'cpu-fp32'] });
    assert.equal(new Set(plans.map((p) => p.key)).size, plans.length);
    assert.deepEqual([...new Set(plans.map((p) => p.target))], ['cpu-int8', 'edgetpu-int8', 'cpu-fp32']);
    // Edge TPU accepts int8 only.
    assert.ok(plans.filter((p) => p.target === 'edgetpu-int8').every((p) => p.quantization === 'int8'));
  });

  it('uses only installed plugins that serve the target', () => {
    const onlyQ = plan({ plugins: [{ name: 'quantization', kind: 'quantization', hardwareTargets: ['*'] }] });
    assert.deepEqual(onlyQ.map((p) => p.family), ['quantize', 'quantize']);
    const pickyPruner = plan({ plugins: [...ALL.filter((p) => p.kind !== 'pruning'), { name: 'my-pruner', kind: 'pruning', hardwareTargets: ['mcu-int8'] }] });
    assert.ok(!pickyPruner.some((p) => p.family === 'prune'));
  });

  it('families, students and budget shape the chains', () => {
    const plans = plan({ families: ['distill'], students: ['small'], budget: { distillEpochs: 1, samplesPerEpoch: 500 } });
    assert.equal(plans.length, 1);
    assert.deepEqual(plans[0].chain[0].config, { epochs: 1, samplesPerEpoch: 500, students: ['small'] });
    assert.equal(plans[0].chain[0].pick, 'student-small');
    assert.equal(plans[0].chain[1].config.samplesPerEpoch, 500);
  });

  it('a budget without augmentation asks the distillation step for plain images; by default the plugin decides', () => {
    const distill = (over: Partial<PlannerInput>) => plan({ families: ['distill'], ...over }).map((p) => p.chain[0]!.config);
    for (const config of distill({ budget: { distillEpochs: 5, augmentation: false } })) {
      assert.deepEqual([config.mixup, config.cropPadding, config.flip, config.epochs], [0, 0, 'never', 5]);
    }
    for (const config of distill({ budget: { distillEpochs: 5 } })) {
      assert.deepEqual([config.mixup, config.cropPadding, config.flip], [undefined, undefined, undefined]);
    }
    for (const config of distill({ seconds: 120, budget: { augmentation: false } })) assert.equal(config.mixup, 0);
  });

  it('rejects bad input with one clear line', () => {
    assert.throws(() => plan({ targets: [] }), (e: Error) => e instanceof PlanInputError && /at least one hardware target/.test(e.message));
    assert.throws(() => plan({ targets: ['toaster'] }), /unknown hardware target "toaster"/);
    assert.throws(() => plan({ families: ['magic' as never] }), /unknown chain family 'magic'/);
    assert.throws(() => plan({ pruneSparsity: 1.5 }), /pruneSparsity must be between 0 and 1/);
    assert.throws(() => plan({ dataset: { ...image, numClasses: 1 } }), /at least 2 classes/);
  });
});

describe('planForRun (orchestration adapter)', () => {
  const request = (over: { techniques?: { plugin: string; config?: Record<string, unknown> | 'auto' }[] | null; constraints?: Record<string, unknown> } = {}) => ({
    run: { targets: ['cpu-int8'], techniques: over.techniques ?? null, constraints: over.constraints ?? {} },
    validated: {
      model: { format: 'keras-h5', parameterCount: 1000, inputShape: [28, 28, 1], outputShape: [10] },
      dataset: { format: 'idx', numClasses: 10, sampleCount: 100, inputShape: [28, 28, 1] },
      targets: ['cpu-int8'],
    },
    baseline: { accuracy: 0.9, parameterCount: 1000, bytes: 4000, hostLatencyMs: null },
    plugins: ALL,
  });

  it('auto: the distillation chains share one joint call (same config) and pick their own student', () => {
    const { candidates } = planForRun(request());
    assert.ok(candidates.length >= 5);
    const distills = [];
    for (const c of candidates) {
      assert.deepEqual(Object.keys(c).sort(), ['chain', 'key', 'quantization', 'target']);
      for (const step of c.chain) {
        // (prune → distill distills the pruned model itself: its own call, nothing to pick)
        const joint = step.plugin === 'distillation' && JSON.stringify(step.config.students) !== '["self"]';
        assert.deepEqual(Object.keys(step).sort(), joint ? ['config', 'pick', 'plugin'] : ['config', 'plugin']);
        if (joint) distills.push(step);
      }
    }
    assert.equal(new Set(distills.map((s) => JSON.stringify(s.config))).size, 1);
    // The default budget (45 s) buys one student per size tier, the teacher at the tier's width
    // (the plain CNN leads the smallest tier from 240 s: services/planner/budget.ts).
    assert.deepEqual([...new Set(distills.map((s) => s.pick))].sort(), ['student-half-teacher-w0.6', 'student-quarter-teacher-w0.35', 'student-sixteenth-teacher-w0.2']);
  });

  it('user-chosen techniques become one chain per target, "auto" config = defaults', () => {
    const { candidates } = planForRun(request({ techniques: [{ plugin: 'pruning', config: { targetSparsity: 0.8 } }, { plugin: 'quantization', config: 'auto' }] }));
    assert.deepEqual(candidates, [{
      key: 'cpu-int8:pruning+quantization+int8',
      chain: [{ plugin: 'pruning', config: { targetSparsity: 0.8 } }, { plugin: 'quantization', config: {} }],
      target: 'cpu-int8', quantization: 'int8',
    }]);
  });

  it('a teacher-only upload (an int8 .tflite) is planned with students only: nothing quantizes, prunes or clusters the teacher itself', () => {
    const base = request();
    const teacherOnly = { ...base, validated: { ...base.validated, model: { ...base.validated.model, format: 'tflite', teacherOnly: true } } };
    const chains = planForRun(teacherOnly).candidates.map((c) => c.chain);
    assert.ok(chains.length >= 3);
    for (const chain of chains) {
      // Every chain starts from a student of the joint distillation call, never from the teacher's own weights.
      assert.equal(chain[0]?.plugin, 'distillation', JSON.stringify(chain));
      assert.notDeepEqual(chain[0]?.config.students, ['self']);
    }
    // The same request without the flag plans the teacher's own chains too.
    assert.ok(planForRun(base).candidates.some((c) => c.chain.length === 0 || c.chain[0]?.plugin !== 'distillation'));
  });

  it('a maxBytes constraint from the run reaches the plan', () => {
    const keys = planForRun(request({ constraints: { maxBytes: 100_000 } })).candidates.map((c) => c.key);
    assert.ok(keys.some((k) => k.includes('distill-half-teacher-w0.6-prune')));
  });
});
