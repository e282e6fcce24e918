// `npx tsx bench/cifar-probes.ts`: where does prune → distill lose accuracy on CIFAR-10, and how
// many epochs does it need? The experiment behind the planner's prune → distill choices for
// images (docs/planner.md). It takes bench:cifar's cached ResNet-8 teacher (run `npm run
// bench:cifar -- --teacher-only` first), prunes it with the pruning plugin exactly as the
// planner's prune → distill chain configures it (structured, gradual over PRUNE_EPOCHS), then
// distils the pruned net from the teacher with the distillation plugin's own loop ('self'
// student), printing the test accuracy after pruning and after every distillation epoch (moving
// batch-norm statistics; the last line after the plugin's recalibration) and the int8 file size
// of the host's exporter. Env: TEACHER_ZIP (a teacher file instead of the cache), SIZE (0.5: the
// planner's half-size level, the fraction of the teacher's int8 file the pruned net must fit; 0 =
// use SPARSITY), SPARSITY (0.65), RESIDUAL ('together' | 'keep'), RESIDUAL_SHARE (1: with 'together', the residual
// groups' fraction of the others' sparsity),
// PRUNE_EPOCHS (1), EPOCHS (distillation, 4), LR (0.001), TEMP (4), ALPHA (0.3), MIXUP (0), TRAIN (0 = all),
// TEACHER_EPOCHS (8, the cache key). Last line: one JSON object.
import { readdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import type { PluginContext, LayersModel } from '@condense/plugin-sdk';
import { distillJointly } from '@condense/plugin-distillation';
import pruning from '@condense/plugin-pruning';
import { initEngine, tf } from '../services/engine/backend/index.ts';
import { openDataset } from '../services/engine/data/index.ts';
import { exportTflite } from '../services/engine/export/index.ts';
import { importModel } from '../services/engine/import/index.ts';
import { evaluateSplit } from '../services/engine/train/index.ts';
import { createExportHelpers, loadExportRuntime } from '../services/plugins/worker/export-helpers.ts';
import { createTrainingHelpers } from '../services/plugins/worker/training.ts';
import { cifarFile, cifarUpload, resnet8, teacherFor } from './lib/cifar.ts';
import { benchClock } from './lib/options.ts';

const env = (name: string, fallback: number) => (process.env[name] === undefined ? fallback : Number(process.env[name]));
const { elapsed, log } = benchClock();
await initEngine();
const upload = cifarUpload(cifarFile());
// TEACHER_ZIP: any teacher file instead (e.g. a partial checkpoint, for a quick check of this script).
const given = process.env.TEACHER_ZIP ? { zip: new Uint8Array(readFileSync(process.env.TEACHER_ZIP)) } : undefined;
if (!given && !readdirSync('bench/.cache', { withFileTypes: true }).some((f) => /^cifar-teacher-[0-9a-f]+\.zip$/.test(f.name))) {
  throw new Error('no cached teacher: run `npm run bench:cifar -- --teacher-only` first');
}
const cached = given ?? await teacherFor('cifar', upload, resnet8, env('TEACHER_EPOCHS', 8), true, 'bench/.cache', log);
if ('partial' in cached) throw new Error('unreachable: the teacher trained without a time limit');
const teacher = (await importModel({ filename: 'teacher.zip', bytes: cached.zip })).model!;
const data = await openDataset(upload, { seed: 1 });
const signal = new AbortController().signal;
const pd = data as unknown as PluginContext['data'];
const quiet = () => undefined;
const logger = { debug: quiet, info: (m: string) => log(`  ${m}`), warn: (m: string) => log(`  warn: ${m}`), error: (m: string) => log(`  error: ${m}`) };

// The test split in memory, for a synchronous accuracy inside the training loop's progress calls.
const test: { x: Float32Array[]; y: Int32Array[] } = { x: [], y: [] };
for await (const b of data.batches('test', 250)) {
  test.x.push(b.x!.slice());
  test.y.push(Int32Array.from(b.y));
}
const accuracyNow = (model: LayersModel): number => {
  let hits = 0;
  let n = 0;
  test.x.forEach((x, i) => {
    const y = test.y[i]!;
    const pred = tf.tidy(() => (tf.argMax(model.predict(tf.tensor(x, [y.length, 32, 32, 3])) as tf.Tensor, -1).dataSync() as Int32Array));
    for (let j = 0; j < y.length; j++) hits += Number(pred[j] === y[j]);
    n += y.length;
  });
  return hits / n;
};
const int8Bytes = async (model: LayersModel): Promise<number> => {
  async function* calibration() {
    for await (const b of data.batches('train', 100, { limit: 500, shuffleSeed: 3 })) yield b.x!;
  }
  return (await exportTflite(model as unknown as tf.LayersModel, { quantization: 'int8', representativeData: calibration() })).bytes.length;
};

const teacherAcc = (await evaluateSplit(teacher, data, { split: 'test', fromLogits: false })).accuracy;
const teacherBytes = await int8Bytes(teacher as unknown as LayersModel);
log(`teacher ${(teacherAcc * 100).toFixed(2)}%, int8 ${teacherBytes} B (half: ${Math.floor(teacherBytes / 2)} B)`);

const sparsity = env('SPARSITY', 0.65);
const pruneEpochs = env('PRUNE_EPOCHS', 1);
const train = env('TRAIN', 0);
const model = (await importModel({ filename: 'teacher.zip', bytes: cached.zip })).model!;
await loadExportRuntime();
const ctx = {
  tf, data: pd, train: createTrainingHelpers({ data: pd, signal, progress: quiet }), progress: quiet, log: logger, signal,
  export: createExportHelpers({ data: pd, signal }),
  model: model as unknown as LayersModel, teacher: teacher as unknown as LayersModel, targets: [], scratchDir: '/tmp',
} as unknown as PluginContext;
const t0 = elapsed();
const config = {
  mode: 'structured', coverage: [0.99], targetSparsity: sparsity, initialSparsity: 0, epochs: pruneEpochs, beginEpoch: 0,
  endEpoch: Math.max(0, pruneEpochs - 0.5), beginStep: -1, endStep: -1, frequency: 10, batchSize: 32, learningRate: 0.001, layers: [],
  samplesPerEpoch: train, seed: 0, recalibrationBatches: 20,
  targetSize: env('SIZE', 0.5) > 0 ? [env('SIZE', 0.5)] : [], targetBytes: [], sizeQuantization: 'int8', residual: process.env.RESIDUAL ?? 'together', residualShare: env('RESIDUAL_SHARE', 1),
};
const [pruned] = await pruning.hooks.compress!(ctx, config as never);
const pruneSeconds = elapsed() - t0;
const prunedAcc = accuracyNow(pruned!.model);
const prunedBytes = await int8Bytes(pruned!.model);
log(`pruned: ${pruned!.notes}`);
log(`pruned ${(prunedAcc * 100).toFixed(2)}% after ${pruneSeconds.toFixed(0)} s, int8 ${prunedBytes} B (${((prunedBytes / teacherBytes) * 100).toFixed(1)}% of the teacher's)`);

const epochs = env('EPOCHS', 4);
const curve: number[] = [];
const t1 = elapsed();
const dctx = {
  ...ctx, model: pruned!.model,
  progress: (u: { epoch?: number }) => {
    if (u.epoch === undefined) return;
    curve.push(accuracyNow(pruned!.model));
    log(`distill epoch ${u.epoch}/${epochs}: ${(curve.at(-1)! * 100).toFixed(2)}% (${(elapsed() - t1).toFixed(0)} s)`);
  },
};
const joint = await distillJointly(dctx, teacher as unknown as LayersModel, ['self'], {
  temperature: env('TEMP', 4), alpha: env('ALPHA', 0.3), epochs, batchSize: 64, learningRate: env('LR', 0.001), samplesPerEpoch: train, seed: 0,
  cropPadding: -1, flip: 'auto', mixup: env('MIXUP', 0), recalibrationBatches: 20, warmup: 0.05, learningRateSchedule: 'cosine',
});
const distillSeconds = elapsed() - t1;
const finalAcc = accuracyNow(joint.students[0]!.model);
log(`after recalibration ${(finalAcc * 100).toFixed(2)}%, distillation ${distillSeconds.toFixed(0)} s`);
console.log(JSON.stringify({
  teacher_acc: teacherAcc, teacher_int8_bytes: teacherBytes, size: config.targetSize, residual: config.residual, sparsity: pruned!.metrics?.targetSparsity ?? sparsity, prune_epochs: pruneEpochs, pruned_acc: prunedAcc, pruned_int8_bytes: prunedBytes,
  prune_seconds: Math.round(pruneSeconds), distill_epochs: epochs, curve, final_acc: finalAcc, drop: Number((teacherAcc - finalAcc).toFixed(4)),
  distill_seconds: Math.round(distillSeconds), load_average: loadavg().map((v) => Number(v.toFixed(2))), wall_seconds: Math.round(elapsed()),
}));
