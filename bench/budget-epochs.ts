// `npx tsx bench/budget-epochs.ts [--budgets 19m,30m,40m]`: the epochs a run's budget buys each
// size tier of the distillation step on bench:students' MNIST task, by the distillation plugin's
// cost model (`epochsWithinBudget`, the function the run calls) — the planner's allocation
// (services/planner/budget.ts) for each budget, its students built at their real sizes against
// the bench's MNIST teacher architecture (conv32-pool-conv64-pool-dense128, untrained: the cost
// model counts work, not weights), 7,200 training samples. Seconds of one core, no training.
import { parseArgs } from 'node:util';
import { buildStudents, epochsWithinBudget, inferenceSecondsPerSample, modelCost, narrowTeacher, trainingSecondsPerSample } from '@condense/plugin-distillation';
import { initEngine, tf } from '../services/engine/backend/index.ts';
import { allocateBudget, parseBudget } from '../services/planner/budget.ts';

const { values: args } = parseArgs({ options: { budgets: { type: 'string', default: '4m,10m,19m,30m,40m,1h' }, samples: { type: 'string', default: '7200' } } });
await initEngine();
const teacher = tf.sequential({
  layers: [
    tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 32, kernelSize: 3, activation: 'relu' }), tf.layers.maxPooling2d({ poolSize: 2 }),
    tf.layers.conv2d({ filters: 64, kernelSize: 3, activation: 'relu' }), tf.layers.maxPooling2d({ poolSize: 2 }), tf.layers.dropout({ rate: 0.25 }),
    tf.layers.flatten(), tf.layers.dense({ units: 128, activation: 'relu' }), tf.layers.dropout({ rate: 0.5 }), tf.layers.dense({ units: 10, activation: 'softmax' }),
  ],
});
const ctx = { tf, data: { info: { kind: 'tensor' as const, inputShape: [28, 28, 1], numClasses: 10 } } } as unknown as Parameters<typeof buildStudents>[0];
const samples = Number(args.samples);
const rows = [];
for (const text of String(args.budgets).split(',')) {
  const a = allocateBudget({ seconds: parseBudget(text), image: true, canPruneThenDistill: true });
  const groups = new Map<string, { trials: number; seconds: number[]; weight: number }>();
  for (const s of a.distill.students) {
    const model = 'teacherWidth' in s
      ? await narrowTeacher(tf, teacher, s.teacherWidth, 'w', 1)
      : buildStudents(ctx, [s], 1, Math.floor(teacher.countParams() * s.maxParamsFraction))[0]!.model;
    const perSample = trainingSecondsPerSample(modelCost(model));
    model.dispose();
    const g = groups.get(s.group) ?? { trials: 0, seconds: [], weight: a.distill.groupWeights[s.group] ?? 1 };
    for (let i = 0; i < Math.max(1, a.distill.grid.length); i++) {
      g.trials++;
      g.seconds.push(perSample);
    }
    groups.set(s.group, g);
  }
  const list = [...groups.entries()].map(([name, g]) => ({ name, trials: g.trials, secondsPerSample: g.seconds.reduce((x, y) => x + y, 0) / g.seconds.length, weight: g.weight }));
  const plan = epochsWithinBudget(a.distill.seconds, samples, inferenceSecondsPerSample(modelCost(teacher)), list, a.distill.halvingEta);
  rows.push({
    budget: text, 'distillation s': a.distill.seconds, 'prune → distill s': a.pruneThenDistill.map((p) => `${p.size}: ${p.seconds}`).join(', '),
    ...Object.fromEntries(list.map((g, i) => [g.name, `${g.trials} trial(s), ${plan.groupEpochs[i]} epoch(s)`])),
  });
}
console.table(rows);
console.log(JSON.stringify(rows));
