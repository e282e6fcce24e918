// `TEACHER=t.zip EPOCHS=8 npx tsx bench/distill-probe.ts`: distils students from a teacher zip
// (e.g. bench/teacher-probe.ts --save) on bench:students' MNIST split with the distillation
// plugin's joint loop for fixed epochs and prints their test accuracy. Env: SPECS (JSON array of
// student specs, default the teacher at width 0.2), EPOCHS, MIXUP (0.5), PAD (−1: ⅛ of the side),
// ROT, SCALE (0), LR (0.003), ALPHA (0.3), T (4).
import type { PluginContext } from '@condense/plugin-sdk';
import { distillJointly } from '@condense/plugin-distillation';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { initEngine, tf } from '../services/engine/backend/index.ts';
import { openDataset } from '../services/engine/data/index.ts';
import { evaluateModel } from '../services/engine/evaluate/index.ts';
import { importModel } from '../services/engine/import/index.ts';
import { createTrainingHelpers } from '../services/plugins/worker/training.ts';
import { mnistNpz } from '../services/demo/mnist-upload.ts';

const started = performance.now();
await initEngine();
const env = (k: string, d: string) => process.env[k] ?? d;
const m = await mnistNpz({ samples: 10000, testFraction: 0.2, seed: 1 });
const local = await openDataset({ bytes: m.bytes, filename: m.filename }, { seed: 1 });
const teacher = (await importModel({ filename: 't.zip', bytes: new Uint8Array(readFileSync(env('TEACHER', ''))) })).model!;
console.log(`teacher ${((await evaluateModel(teacher, local, 'test')).accuracy * 100).toFixed(2)}% ${teacher.countParams()} params`);
const signal = new AbortController().signal;
const quiet = () => undefined;
const pd = local as unknown as PluginContext['data'];
const ctx = { tf, data: pd, train: createTrainingHelpers({ data: pd, signal, progress: quiet }), progress: quiet, log: { debug: quiet, info: (msg: string) => console.log(`  ${msg}`), warn: (msg: string) => console.log(`  warn ${msg}`), error: quiet }, signal };
const r = await distillJointly(ctx, teacher, JSON.parse(env('SPECS', '[{"teacherWidth":0.2}]')), {
  temperature: Number(env('T', '4')), alpha: Number(env('ALPHA', '0.3')), epochs: Number(env('EPOCHS', '5')), batchSize: 64, learningRate: Number(env('LR', '0.003')), samplesPerEpoch: 0, seed: 0,
  cropPadding: Number(env('PAD', '-1')), flip: 'never', mixup: Number(env('MIXUP', '0.5')), rotation: Number(env('ROT', '0')), scale: Number(env('SCALE', '0')), recalibrationBatches: 20, warmup: 0.05, learningRateSchedule: 'cosine',
});
for (const s of r.students) {
  const acc = (await evaluateModel(s.model, local, 'test')).accuracy;
  console.log(`${s.name} (${s.params} parameters): ${(acc * 100).toFixed(2)}%`);
}
console.log(`loop ${r.loopSeconds.toFixed(0)} s, load ${loadavg()[0].toFixed(1)}, wall ${((performance.now() - started) / 1000).toFixed(0)} s`);
