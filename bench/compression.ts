// `npm run bench:compression`: the planner end to end on Fashion-MNIST, joint-vs-single
// distillation time, and ProjectionNet on the SpamAssassin spam/ham corpus. Prints a table, then
// ONE JSON object as the last line.
//   Fashion-MNIST: trains a teacher CNN (conv32-pool-conv64-pool-dense640, ~1.05M parameters),
//   runs the planner for cpu-int8 (int8 alone, dynamic-int8 alone, structured pruning → int8, three
//   jointly distilled students → int8) and measures every exported .tflite on the test split.
//   options: --teacher-epochs N (5)  --teacher-samples N (0 = all)  --distill-epochs N (5)
//            --samples-per-epoch N (30000, plugin training steps)  --timing-samples N (6400)
//            --eval-samples N (0 = all 10,000)  --prune-sparsity S (0.75)  --skip-text  --skip-fashion
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { PluginContext } from '@condense/plugin-sdk';
import { timeJointVsSingle } from '@condense/plugin-distillation';
import { featurizerFromConfig } from '@condense/plugin-projection';
import { initEngine, tf } from '../services/engine/backend/index.ts';
import { openDataset, type Dataset } from '../services/engine/data/index.ts';
import { fit } from '../services/engine/train/index.ts';
import { spamAssassinDataset } from '../services/engine/text/spam-assassin.ts';
import { createPluginHost, type PluginHost } from '../services/plugins/index.ts';
import { createTrainingHelpers } from '../services/plugins/worker/training.ts';
import { measureArtifact, runPlanLocally, type LocalPlanResult } from '../services/planner/index.ts';

const FASHION_DIR = '/usr/share/datasets/fashion-mnist';
const started = performance.now();
const elapsed = () => ((performance.now() - started) / 1000).toFixed(0);
const log = (line: string) => console.log(`[${elapsed()}s] ${line}`);

const { values: args } = parseArgs({
  options: {
    'teacher-epochs': { type: 'string', default: '5' },
    'teacher-samples': { type: 'string', default: '0' },
    'distill-epochs': { type: 'string', default: '5' },
    'samples-per-epoch': { type: 'string', default: '30000' },
    'timing-samples': { type: 'string', default: '6400' },
    'eval-samples': { type: 'string', default: '0' },
    'prune-sparsity': { type: 'string', default: '0.75' },
    'skip-text': { type: 'boolean', default: false },
    'skip-fashion': { type: 'boolean', default: false },
  },
});
const int = (name: keyof typeof args) => {
  const v = Number(args[name]);
  if (!Number.isFinite(v) || v < 0) {
    console.error(`--${name} must be a non-negative number, got ${String(args[name])}`);
    process.exit(2);
  }
  return v;
};

function teacherModel(): tf.LayersModel {
  const init = (seed: number) => tf.initializers.heNormal({ seed });
  return tf.sequential({
    name: 'fashion_teacher',
    layers: [
      tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 32, kernelSize: 3, activation: 'relu', kernelInitializer: init(1) }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.conv2d({ filters: 64, kernelSize: 3, activation: 'relu', kernelInitializer: init(2) }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 640, activation: 'relu', kernelInitializer: init(3) }),
      tf.layers.dense({ units: 10, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 4 }) }),
    ],
  });
}

function localContext(data: Dataset): Pick<PluginContext, 'tf' | 'train' | 'data' | 'progress' | 'log' | 'signal'> {
  const signal = new AbortController().signal;
  const quiet = () => undefined;
  const pluginData = data as unknown as PluginContext['data'];
  return { tf, data: pluginData, train: createTrainingHelpers({ data: pluginData, signal, progress: quiet }), progress: quiet, log: { debug: quiet, info: quiet, warn: quiet, error: quiet }, signal };
}

const pct = (v: number | undefined) => (v === undefined ? '—' : `${(v * 100).toFixed(2)}%`);

function printTable(result: LocalPlanResult): void {
  const verdicts = new Map(result.selection.verdicts.map((v) => [v.key, v]));
  const rows = result.measured.map((m) => {
    const v = verdicts.get(m.key)!;
    return {
      candidate: m.key,
      accuracy: pct(m.accuracy),
      bytes: m.bytes ?? '—',
      'x smaller': m.compressionRatio?.toFixed(1) ?? '—',
      'est ms': m.estimatedLatencyMs?.toFixed(3) ?? '—',
      'host ms': m.hostLatencyMs?.toFixed(3) ?? '—',
      pareto: v.pareto ? 'yes' : '',
      verdict: v.accepted ? 'accepted' : v.reasons.map((r) => r.rule).join(', '),
    };
  });
  console.table(rows);
  for (const v of result.selection.verdicts) if (!v.accepted) console.log(`  ${v.key}: ${v.reasons.map((r) => r.message).join('; ')}`);
}

interface FashionFigures {
  teacher_acc: number;
  teacher_bytes: number;
  teacher_params: number;
  best_20x_acc_drop: number | null;
  best_20x_candidate: string | null;
  int8_vs_float_drop: number | null;
  candidates: number;
  joint_vs_single_time: number;
  joint_seconds: number;
  single_seconds: number;
}

async function fashion(host: PluginHost): Promise<FashionFigures> {
  if (!existsSync(FASHION_DIR)) {
    console.error(`Fashion-MNIST is missing: run  apt-get update && apt-get install -y dataset-fashion-mnist  (it provides ${FASHION_DIR})`);
    process.exit(1);
  }
  const data = await openDataset({ path: FASHION_DIR }, { seed: 1 });
  log(`Fashion-MNIST: ${data.info.splits.train} train / ${data.info.splits.validation} validation / ${data.info.splits.test} test`);

  const teacher = teacherModel();
  const teacherSamples = int('teacher-samples');
  await fit(teacher, data, {
    epochs: int('teacher-epochs'), batchSize: 128, optimizer: { name: 'adam', learningRate: 1e-3 }, validationSplit: null, progressEvery: 100, seed: 1,
    ...(teacherSamples > 0 ? { limit: teacherSamples } : {}),
    onProgress: (p) => { if (p.epochEnd) log(`teacher epoch ${p.epoch}/${p.epochs}: loss ${p.loss.toFixed(4)}, ${p.samplesPerSecond.toFixed(0)} samples/s`); },
  });
  log(`teacher trained: ${teacher.countParams()} parameters`);

  const samplesPerEpoch = int('samples-per-epoch');
  const result = await runPlanLocally({
    model: teacher,
    dataset: data,
    targets: ['cpu-int8'],
    constraints: { maxAccuracyDrop: 0.02 },
    families: ['quantize', 'prune', 'distill'],
    budget: { distillEpochs: int('distill-epochs'), pruneEpochs: 1, samplesPerEpoch, qatEpochs: 1, batchSize: 128 },
    pruneSparsity: Number(args['prune-sparsity']),
    host,
    measure: { latencyRuns: 20, ...(int('eval-samples') > 0 ? { evalSamples: int('eval-samples') } : {}) },
    log,
  });
  printTable(result);
  log(`planner: ${result.measured.length} candidates from ${result.pluginCalls} plugin calls; baseline ${result.seconds.baseline.toFixed(0)} s, compress ${result.seconds.compress.toFixed(0)} s, measure ${result.seconds.measure.toFixed(0)} s`);

  const { baseline } = result;
  const ok = result.measured.filter((m) => !m.failure && m.accuracy !== undefined && m.bytes !== undefined);
  const small = ok.filter((m) => m.bytes! * 20 <= baseline.bytes).sort((a, b) => b.accuracy! - a.accuracy!);
  const int8 = ok.find((m) => m.key === 'cpu-int8:quantize+int8');

  // Joint vs single: same teacher, epochs and data; three students together vs the largest alone.
  const timingSamples = int('timing-samples');
  log(`timing joint (large, medium, small) vs large alone on ${timingSamples} samples, 1 epoch`);
  const timing = await timeJointVsSingle(localContext(data), teacher, ['large', 'medium', 'small'], {
    temperature: 4, alpha: 0.3, epochs: 1, batchSize: 128, learningRate: 0.003, learningRateSchedule: 'cosine', samplesPerEpoch: timingSamples, seed: 0,
  });
  log(`joint ${timing.jointSeconds.toFixed(1)} s, ${timing.largest} alone ${timing.singleSeconds.toFixed(1)} s: ratio ${timing.ratio.toFixed(2)}`);
  teacher.dispose();
  await data.close();
  return {
    teacher_acc: baseline.accuracy,
    teacher_bytes: baseline.bytes,
    teacher_params: baseline.parameterCount,
    best_20x_acc_drop: small[0] ? baseline.accuracy - small[0].accuracy! : null,
    best_20x_candidate: small[0]?.key ?? null,
    int8_vs_float_drop: int8 ? baseline.accuracy - int8.accuracy! : null,
    candidates: ok.length,
    joint_vs_single_time: timing.ratio,
    joint_seconds: timing.jointSeconds,
    single_seconds: timing.singleSeconds,
  };
}

async function text(host: PluginHost): Promise<{ projection_bytes: number | null; projection_acc: number | null; projection_note?: string }> {
  if (!host.list().some((p) => p.manifest.kind === 'projection')) return { projection_bytes: null, projection_acc: null, projection_note: 'no projection plugin installed' };
  const data = spamAssassinDataset({ seed: 1 });
  log(`SpamAssassin: ${data.info.splits.train} train / ${data.info.splits.validation} validation / ${data.info.splits.test} test mails`);
  // The projection plugin trains its own trainer network; the model it is handed is unused.
  const placeholder = tf.sequential({ layers: [tf.layers.dense({ inputShape: [1], units: data.info.numClasses, activation: 'softmax' })] });
  const result = await host.invoke('projection', { model: placeholder, data, targets: ['cpu-fp32'] });
  placeholder.dispose();
  const candidate = result.candidates[0];
  if (!candidate) return { projection_bytes: null, projection_acc: null, projection_note: result.failures.map((f) => `${f.reason}: ${f.message}`).join('; ') };
  const quantization = candidate.exportHints?.quantization ?? 'float32';
  const measured = await measureArtifact(candidate.model, quantization, 'float32', data, { featurizer: featurizerFromConfig(result.config as never), latencyRuns: 0 });
  console.table([{ candidate: candidate.name, quantization, accuracy: pct(measured.accuracy), bytes: measured.exported.bytes.length, 'plugin seconds': (result.durationMs / 1000).toFixed(0) }]);
  await data.close();
  return { projection_bytes: measured.exported.bytes.length, projection_acc: measured.accuracy };
}

await initEngine();
const host = await createPluginHost();
await host.registerCustomLayers(tf);
log(`plugins: ${host.list().map((p) => `${p.manifest.name} (${p.manifest.kind})`).join(', ')}`);
const figures: Record<string, unknown> = {};
if (!args['skip-fashion']) Object.assign(figures, await fashion(host));
if (!args['skip-text']) Object.assign(figures, await text(host));
figures.wall_seconds = Math.round((performance.now() - started) / 1000);
console.log(JSON.stringify(figures));
