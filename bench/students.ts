// `npm run bench:students`: what one training step of each distillation student costs on this
// engine (batch 128, Fashion-MNIST-shaped 28×28×1 inputs, 10 classes, Adam, training-mode batch
// norm), for the presets and for the same widths without the resolution multiplier. The ratio
// (Σ students) / largest estimates joint-vs-single distillation time when the teacher's forward
// pass is negligible. Prints a table, then one JSON object as the last line.
//   options: --batch N (128)  --steps N (8 timed, after 3 untimed)
import { parseArgs } from 'node:util';
import { buildStudent, STUDENT_PRESETS, type StudentSize } from '@condense/plugin-distillation';
import { initEngine, tf } from '../services/engine/backend/index.ts';

const { values: args } = parseArgs({ options: { batch: { type: 'string', default: '128' }, steps: { type: 'string', default: '8' } } });
const batch = Number(args.batch);
const steps = Number(args.steps);
if (!(Number.isInteger(batch) && batch > 0 && Number.isInteger(steps) && steps > 0)) {
  console.error('--batch and --steps must be positive integers');
  process.exit(2);
}

await initEngine();
const xs = tf.randomNormal([batch, 28, 28, 1], 0, 1, 'float32', 1);
const labels = tf.oneHot(tf.tensor1d(Array.from({ length: batch }, (_, i) => i % 10), 'int32'), 10).toFloat();

/** Mean wall time of `steps` optimizer steps, after 3 untimed ones. */
function msPerStep(size: StudentSize, name: string): { params: number; ms: number } {
  const student = buildStudent(tf, [28, 28, 1], 10, size, name, 1);
  const optimizer = tf.train.adam(0.003);
  const vars = student.logits.trainableWeights.map((w) => w.read() as tf.Variable);
  const step = () => {
    const loss = optimizer.minimize(() => tf.losses.softmaxCrossEntropy(labels, student.logits.apply(xs, { training: true }) as tf.Tensor), true, vars);
    loss?.dataSync();
    loss?.dispose();
  };
  for (let i = 0; i < 3; i++) step();
  const started = performance.now();
  for (let i = 0; i < steps; i++) step();
  const ms = (performance.now() - started) / steps;
  const params = student.model.countParams();
  optimizer.dispose();
  student.model.dispose();
  return { params, ms };
}

const variants: Array<[string, StudentSize]> = [
  ['large', STUDENT_PRESETS.large],
  ['medium', STUDENT_PRESETS.medium],
  ['small', STUDENT_PRESETS.small],
  ['medium, full resolution', { ...STUDENT_PRESETS.medium, resolution: 1 }],
  ['small, full resolution', { ...STUDENT_PRESETS.small, resolution: 1 }],
];
const rows = variants.map(([label, size], i) => ({ label, size, ...msPerStep(size, `s${i}`) }));
const large = rows[0].ms;
console.table(rows.map((r) => ({
  student: r.label, width: r.size.width, depth: r.size.depth, resolution: r.size.resolution ?? 1, parameters: r.params,
  'ms / step': r.ms.toFixed(1), 'of large': `${((r.ms / large) * 100).toFixed(0)}%`,
})));
const ratio = (ms: number[]) => Number((ms.reduce((a, b) => a + b, 0) / large).toFixed(2));
console.log(JSON.stringify({
  batch,
  large_ms: Number(large.toFixed(1)),
  presets_step_ratio: ratio([rows[0].ms, rows[1].ms, rows[2].ms]),
  full_resolution_step_ratio: ratio([rows[0].ms, rows[3].ms, rows[4].ms]),
}));
