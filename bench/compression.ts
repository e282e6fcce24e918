// `npm run bench:compression`: the path users run, measured. A teacher CNN is trained on
// Fashion-MNIST (conv32-pool-conv64-pool-dense640, ~1.05M parameters); then a REAL run — created
// as `condense compress` creates it, executed by the embedded runner with the real activities —
// compresses it for cpu-int8 (int8 alone, dynamic-int8 alone, structured pruning → int8, three
// jointly distilled students → int8), and every figure is read from what the run stored: its
// candidates, its baseline, its plan steps. Two more runs (distillation only, three students vs the
// largest alone, same small budget) give joint_vs_single_time from their stored step durations.
// ProjectionNet is measured through runs by `npm run bench:text` (its students are planned in
// the text runs there), not here. Prints tables, then ONE JSON object as the last line.
//   options: --teacher-epochs N (5)  --teacher-samples N (0 = all)  --distill-epochs N (5)
//            --samples-per-epoch N (30000, plugin training steps)  --timing-samples N (6400)
//            --eval-samples N (0 = all 10,000)  --prune-sparsity S (0.75)
//   CONDENSE_WORKERS (default: cores) sets how many steps train at once, as for `condense compress`.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { zipSync } from 'fflate';
import { initEngine } from '../services/engine/backend/index.ts';
import { fashionTeacher } from './lib/fashion-teacher.ts';
import { openDataset } from '../services/engine/data/index.ts';
import { exportTfjsLayersZip } from '../services/engine/export/index.ts';
import { fit } from '../services/engine/train/index.ts';
import { openRunnerStack, type StoredRun } from './lib/runner-run.ts';

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

const pct = (v: number | null | undefined) => (v == null ? '—' : `${(v * 100).toFixed(2)}%`);

function printTable(run: StoredRun): void {
  console.table(run.candidates.map((c) => ({
    candidate: c.key,
    accuracy: pct(c.accuracy),
    bytes: c.bytes == null ? '—' : Number(c.bytes),
    'x smaller': c.compression_ratio?.toFixed(1) ?? '—',
    'est ms': c.estimated_latency_ms?.toFixed(3) ?? '—',
    'host ms': c.host_latency_ms?.toFixed(3) ?? '—',
    pareto: c.pareto ? 'yes' : '',
    verdict: c.status === 'failed' ? `failed (${c.failure_stage})` : c.fits ? 'accepted' : c.fit_failures.map((f) => f.rule).join(', '),
  })));
  for (const c of run.candidates) {
    if (c.status === 'failed') console.log(`  ${c.key}: ${c.failure_message}`);
    else if (!c.fits) console.log(`  ${c.key}: ${c.fit_failures.map((f) => f.message).join('; ')}`);
  }
  console.table(run.steps.map((s) => ({ plugin: s.plugin, source: s.source, models: s.outputs.join(', '), seconds: s.seconds.toFixed(1) })));
}

interface FashionFigures {
  teacher_acc: number;
  teacher_bytes: number;
  teacher_params: number;
  best_20x_acc_drop: number | null;
  best_20x_candidate: string | null;
  int8_vs_float_drop: number | null;
  candidates: number;
  /** Plan steps that trained in the run, per plugin (the rest were shared or found finished). */
  steps_trained: Record<string, number>;
  /** Candidates that took a distilled student (all from the run's one distillation step). */
  distilled_candidates: number;
  run_seconds: number;
  joint_vs_single_time: number;
  joint_seconds: number;
  single_seconds: number;
}

/** The IDX files of Fashion-MNIST as one zip: the upload a user would make. */
function fashionUpload(): Uint8Array {
  const files = Object.fromEntries(readdirSync(FASHION_DIR).map((f) => [f, [readFileSync(join(FASHION_DIR, f)), { level: 0 }] as [Uint8Array, { level: 0 }]]));
  return zipSync(files);
}

async function fashion(): Promise<FashionFigures> {
  if (!existsSync(FASHION_DIR)) {
    console.error(`Fashion-MNIST is missing: run  apt-get update && apt-get install -y dataset-fashion-mnist  (it provides ${FASHION_DIR})`);
    process.exit(1);
  }
  const data = await openDataset({ path: FASHION_DIR }, { seed: 1 });
  log(`Fashion-MNIST: ${data.info.splits.train} train / ${data.info.splits.validation} validation / ${data.info.splits.test} test`);

  const teacher = fashionTeacher();
  const teacherSamples = int('teacher-samples');
  await fit(teacher, data, {
    epochs: int('teacher-epochs'), batchSize: 128, optimizer: { name: 'adam', learningRate: 1e-3 }, validationSplit: null, progressEvery: 100, seed: 1,
    ...(teacherSamples > 0 ? { limit: teacherSamples } : {}),
    onProgress: (p) => { if (p.epochEnd) log(`teacher epoch ${p.epoch}/${p.epochs}: loss ${p.loss.toFixed(4)}, ${p.samplesPerSecond.toFixed(0)} samples/s`); },
  });
  log(`teacher trained: ${teacher.countParams()} parameters`);
  const model = { filename: 'fashion_teacher.zip', bytes: await exportTfjsLayersZip(teacher) };
  teacher.dispose();
  await data.close();
  const upload = { filename: 'fashion-mnist.zip', bytes: fashionUpload() };

  const evalSamples = int('eval-samples');
  const stack = await openRunnerStack({ sizes: { latencyRuns: 20, ...(evalSamples > 0 ? { evalSamples } : {}) }, log });
  try {
    const kinds = new Set<string>(stack.services.pluginHost.list().map((p) => p.manifest.kind));
    for (const kind of ['quantization', 'pruning', 'distillation']) {
      if (!kinds.has(kind)) throw new Error(`no ${kind} plugin loaded (${stack.services.pluginHost.errors.map((e) => e.message).join('; ') || 'not installed'}): the plan would not be the benchmark's`);
    }
    const samplesPerEpoch = int('samples-per-epoch');
    log(`run: cpu-int8, planner families quantize, prune, distill (embedded runner, CONDENSE_WORKERS=${process.env.CONDENSE_WORKERS ?? 'cores'})`);
    const run = await stack.run({ model, data: upload, targets: ['cpu-int8'], constraints: { maxAccuracyDrop: 0.02 } }, {
      families: ['quantize', 'prune', 'distill'],
      fixedEpochs: true,
      // Five fixed epochs are too few for the distillation plugin's default augmentation (random
      // crops, flips, mixup: 4 points lower students here, see docs/planner.md): plain images.
      budget: { distillEpochs: int('distill-epochs'), pruneEpochs: 1, samplesPerEpoch, qatEpochs: 1, batchSize: 128, augmentation: false },
      pruneSparsity: Number(args['prune-sparsity']),
    });
    printTable(run);
    log(`run ${run.result.status}: ${run.candidates.length} candidates from ${run.steps.filter((s) => s.source === 'ran').length} trained steps in ${run.seconds.toFixed(0)} s`);

    const { baseline } = run;
    const ok = run.candidates.filter((c) => c.status === 'succeeded' && c.accuracy !== null && c.bytes !== null);
    const small = ok.filter((c) => Number(c.bytes) * 20 <= baseline.bytes).sort((a, b) => b.accuracy! - a.accuracy!);
    const int8 = ok.find((c) => c.key === 'cpu-int8:quantize+int8');
    const stepsTrained: Record<string, number> = {};
    for (const s of run.steps) if (s.source === 'ran') stepsTrained[s.plugin] = (stepsTrained[s.plugin] ?? 0) + 1;

    // Joint vs single: the same small budget, three students in one loop vs the largest alone,
    // each a run of its own (cpu-fp32: no quantization step), timed by its stored step.
    const timingSamples = int('timing-samples');
    const timing = { distillEpochs: 1, samplesPerEpoch: timingSamples, batchSize: 128, augmentation: false };
    log(`timing runs: joint (large, medium, small) vs large alone, 1 epoch of ${timingSamples} samples`);
    const distillSeconds = async (students: Array<'large' | 'medium' | 'small'>) => {
      const r = await stack.run({ model, data: upload, targets: ['cpu-fp32'] }, { families: ['distill'], students, budget: timing, fixedEpochs: true });
      const step = r.steps.find((s) => s.plugin === 'distillation' && s.source === 'ran');
      if (!step) throw new Error(`the ${students.join('+')} timing run trained no distillation step (${r.result.status}: ${r.result.message ?? ''})`);
      return step.seconds;
    };
    const jointSeconds = await distillSeconds(['large', 'medium', 'small']);
    const singleSeconds = await distillSeconds(['large']);
    log(`joint ${jointSeconds.toFixed(1)} s, large alone ${singleSeconds.toFixed(1)} s: ratio ${(jointSeconds / singleSeconds).toFixed(2)}`);
    return {
      teacher_acc: baseline.accuracy,
      teacher_bytes: baseline.bytes,
      teacher_params: baseline.parameterCount,
      best_20x_acc_drop: small[0] ? baseline.accuracy - small[0].accuracy! : null,
      best_20x_candidate: small[0]?.key ?? null,
      int8_vs_float_drop: int8 ? baseline.accuracy - int8.accuracy! : null,
      candidates: ok.length,
      steps_trained: stepsTrained,
      distilled_candidates: run.candidates.filter((c) => c.technique_chain[0]?.plugin === 'distillation').length,
      run_seconds: Math.round(run.seconds),
      joint_vs_single_time: jointSeconds / singleSeconds,
      joint_seconds: jointSeconds,
      single_seconds: singleSeconds,
    };
  } finally {
    await stack.close();
  }
}

await initEngine();
const loadAtStart = loadavg()[0];
const figures: Record<string, unknown> = {};
Object.assign(figures, await fashion());
figures.wall_seconds = Math.round((performance.now() - started) / 1000);
// Wall times move with the machine's load (shared machines): the 1-minute load average, start and end.
figures.load_average = { start: Number(loadAtStart.toFixed(2)), end: Number(loadavg()[0].toFixed(2)) };
console.log(JSON.stringify(figures));
