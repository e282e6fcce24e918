import { initEngine, tf } from '../services/engine/backend/index.ts';
import { buildStudents } from '../plugins/distillation/src/joint.ts';
import { narrowTeacher } from '../plugins/distillation/src/teacher-derived.ts';
import { modelCost, trainingSecondsPerSample, inferenceSecondsPerSample } from '../plugins/distillation/src/cost.ts';
import { epochsWithinBudget } from '../plugins/distillation/src/joint.ts';
import { allocateBudget } from '../services/planner/budget.ts';
import { datasetFromArrays } from '../services/engine/data/index.ts';
await initEngine();
const L = tf.layers;
const teacher = tf.sequential({ layers: [
  L.conv2d({ inputShape: [28, 28, 1], filters: 32, kernelSize: 3, activation: 'relu' }), L.maxPooling2d({ poolSize: 2 }),
  L.conv2d({ filters: 64, kernelSize: 3, activation: 'relu' }), L.maxPooling2d({ poolSize: 2 }),
  L.flatten(), L.dense({ units: 128, activation: 'relu' }), L.dense({ units: 10, activation: 'softmax' })] });
const tp = teacher.countParams();
const data = datasetFromArrays(new Float32Array(10 * 784), Int32Array.from({ length: 10 }, (_, i) => i), [28, 28, 1]);
let k = 0;
const cost = async (s: any) => {
  if ('teacherWidth' in s) return trainingSecondsPerSample(modelCost(await narrowTeacher(tf, teacher, s.teacherWidth, 'x' + k++, 1)));
  const [b] = buildStudents({ tf, data } as never, [s], 0, (s.maxParamsFraction ?? 0.5) * tp);
  return trainingSecondsPerSample(modelCost(b.model));
};
const weights = JSON.parse(process.env.W ?? '[1,1,1]');
for (const budget of JSON.parse(process.env.B ?? '[300,480,600,900]')) {
  const a = allocateBudget({ seconds: budget, image: true, canPruneThenDistill: true });
  const names = [...new Set(a.distill.students.map((s) => s.group))];
  const groups = [];
  for (const [i, g] of names.entries()) { const m = a.distill.students.filter((s) => s.group === g); const c = []; for (const s of m) c.push(await cost(s)); groups.push({ trials: m.length, secondsPerSample: c.reduce((x, y) => x + y, 0) / c.length, weight: weights[i] }); }
  const plan = epochsWithinBudget(a.distill.seconds, 7200, inferenceSecondsPerSample(modelCost(teacher)), groups, 2, 30, 64);
  console.log(budget, a.distill.seconds, JSON.stringify(groups.map((g) => [g.trials, (g.secondsPerSample * 1000).toFixed(2)])), JSON.stringify(plan.groupEpochs), plan.samplesPerEpoch);
}
