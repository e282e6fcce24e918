// `npm run bench:train`: our training engine against PyTorch CPU on the same architectures,
// data (Fashion-MNIST), batch size 128, Adam 1e-3 and epochs, alternating runs in one process
// so machine noise hits both sides alike. Prints a table, then ONE JSON line (the last line).
//   options: --samples N (10000)  --epochs E (1)  --rounds R (1)  --backend auto|wasm|cpu|…
//            --torch-threads T (0 = torch's default)  --test-samples N (2000)
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { tf, initEngine, type BackendPreference } from '../services/engine/backend/index.ts';
import { fit, evaluateSplit } from '../services/engine/train/index.ts';
import { readIdx, datasetFromArrays } from '../services/engine/data/index.ts';
import { ensureSystemDeps, PYTHON, type FashionMnistFiles } from './lib/system_deps.ts';
import { buildBenchModel, inputShapeOf, type BenchModel } from './lib/bench_models.ts';
import { int8VsFloat32Latency } from './lib/tflite_latency.ts';

const here = path.dirname(fileURLToPath(import.meta.url));

interface RunResult { samplesPerSecond: number; seconds: number; meanLoss: number; testAccuracy: number; threads?: number; torch?: string }

async function loadSplit(images: string, labels: string, count: number): Promise<{ x: Float32Array; y: Int32Array }> {
  const img = await readIdx(images);
  const lab = await readIdx(labels);
  const n = Math.min(count, img.shape[0]);
  const x = new Float32Array(n * 784);
  for (let i = 0; i < x.length; i++) x[i] = (img.data[i] as number) / 255;
  return { x, y: Int32Array.from(lab.data.subarray(0, n) as Uint8Array) };
}

async function runOurs(kind: BenchModel, train: { x: Float32Array; y: Int32Array }, test: { x: Float32Array; y: Int32Array }, epochs: number): Promise<{ result: RunResult; model: tf.LayersModel }> {
  const shape = inputShapeOf(kind);
  const data = datasetFromArrays(train.x, train.y, shape, { validationFraction: 0, testFraction: 0, name: 'fashion-mnist' });
  const testData = datasetFromArrays(test.x, test.y, shape, { validationFraction: 0, testFraction: 0, name: 'fashion-mnist-test' });
  const model = buildBenchModel(kind);
  const started = performance.now();
  const history = await fit(model, data, { epochs, batchSize: 128, optimizer: { name: 'adam', learningRate: 1e-3 }, validationSplit: null, progressEvery: 1000 });
  const seconds = (performance.now() - started) / 1000;
  const evaluation = await evaluateSplit(model, testData, { split: 'train', fromLogits: true });
  return {
    model,
    result: {
      samplesPerSecond: (train.y.length * epochs) / seconds, seconds,
      meanLoss: history.history[history.history.length - 1].metrics.loss, testAccuracy: evaluation.accuracy,
    },
  };
}

function runTorch(kind: BenchModel, files: FashionMnistFiles, samples: number, testSamples: number, epochs: number, threads: number): RunResult {
  const args = [path.join(here, 'torch_train.py'), '--model', kind,
    '--train-images', files.trainImages, '--train-labels', files.trainLabels,
    '--test-images', files.testImages, '--test-labels', files.testLabels,
    '--samples', String(samples), '--test-samples', String(testSamples), '--epochs', String(epochs), '--threads', String(threads)];
  const proc = spawnSync(PYTHON, args, { encoding: 'utf8' });
  if (proc.status !== 0) throw new Error(`PyTorch run failed: ${(proc.stderr || proc.stdout).trim().split('\n').pop()}`);
  const out = JSON.parse(proc.stdout.trim().split('\n').pop() as string);
  return { samplesPerSecond: out.samples_per_s, seconds: out.seconds, meanLoss: out.mean_loss, testAccuracy: out.test_accuracy, threads: out.threads, torch: out.torch };
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const fmt = (v: number, d = 0) => v.toFixed(d);

async function main(): Promise<void> {
  const { values } = parseArgs({ options: {
    samples: { type: 'string', default: '10000' }, 'test-samples': { type: 'string', default: '2000' },
    epochs: { type: 'string', default: '1' }, rounds: { type: 'string', default: '1' },
    backend: { type: 'string', default: 'auto' }, 'torch-threads': { type: 'string', default: '0' },
  } });
  const num = (name: string, v: string | undefined, min: number) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer ≥ ${min}, got '${v}'`);
    return n;
  };
  const samples = num('samples', values.samples, 128);
  const testSamples = num('test-samples', values['test-samples'], 1);
  const epochs = num('epochs', values.epochs, 1);
  const rounds = num('rounds', values.rounds, 1);
  const torchThreads = num('torch-threads', values['torch-threads'], 0);
  const log = (line: string) => console.log(line);

  const files = ensureSystemDeps(log);
  const backend = await initEngine(values.backend as BackendPreference);
  const train = await loadSplit(files.trainImages, files.trainLabels, samples);
  const test = await loadSplit(files.testImages, files.testLabels, testSamples);
  log(`Fashion-MNIST: ${train.y.length} training samples, ${test.y.length} test samples; batch 128, Adam 1e-3, ${epochs} epoch(s), ${rounds} round(s); our backend: ${backend}`);

  const ours: Record<BenchModel, RunResult[]> = { mlp: [], cnn: [] };
  const torch: Record<BenchModel, RunResult[]> = { mlp: [], cnn: [] };
  let cnnModel: tf.LayersModel | null = null;
  for (let round = 0; round < rounds; round++) {
    for (const kind of ['mlp', 'cnn'] as BenchModel[]) {
      const { result, model } = await runOurs(kind, train, test, epochs);
      ours[kind].push(result);
      if (kind === 'cnn') { cnnModel?.dispose(); cnnModel = model; } else model.dispose();
      torch[kind].push(runTorch(kind, files, samples, testSamples, epochs, torchThreads));
      log(`  round ${round + 1} ${kind}: ours ${fmt(result.samplesPerSecond)} samples/s, PyTorch ${fmt(torch[kind][round].samplesPerSecond)} samples/s`);
    }
  }

  let int8VsFp32: number | null = null;
  let latencyNote = '';
  try {
    const lat = await int8VsFloat32Latency(cnnModel as tf.LayersModel, train.x.subarray(0, 200 * 784));
    int8VsFp32 = lat.ratio;
    latencyNote = `exported CNN, TFLite wasm runtime, batch 1: float32 ${fmt(lat.float32Ms, 3)} ms, int8 ${fmt(lat.int8Ms, 3)} ms (median)`;
  } catch (err) {
    latencyNote = `int8/float32 latency unavailable: ${(err as Error).message.split('\n')[0]}`;
  }
  cnnModel?.dispose();

  const rows = (['mlp', 'cnn'] as BenchModel[]).map((kind) => {
    const o = mean(ours[kind].map((r) => r.samplesPerSecond));
    const t = mean(torch[kind].map((r) => r.samplesPerSecond));
    return { kind, o, t, ratio: o / t, oAcc: mean(ours[kind].map((r) => r.testAccuracy)), tAcc: mean(torch[kind].map((r) => r.testAccuracy)) };
  });
  const threads = torch.mlp[0].threads;
  const header = ['model', `ours samples/s (${backend})`, `PyTorch ${torch.mlp[0].torch} samples/s (${threads} thread${threads === 1 ? '' : 's'})`, 'ratio', 'ours test acc', 'PyTorch test acc'];
  const table = [header, ...rows.map((r) => [r.kind, fmt(r.o), fmt(r.t), fmt(r.ratio, 2), fmt(r.oAcc, 3), fmt(r.tAcc, 3)])];
  const widths = header.map((_, i) => Math.max(...table.map((row) => row[i].length)));
  log('');
  table.forEach((row, k) => {
    log(row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join(' | '));
    if (k === 0) log(widths.map((w) => '-'.repeat(w)).join('-|-'));
  });
  log(latencyNote);
  const [mlp, cnn] = rows;
  console.log(JSON.stringify({
    mlp_ratio: round3(mlp.ratio), cnn_ratio: round3(cnn.ratio),
    mlp_samples_per_s: Math.round(mlp.o), cnn_samples_per_s: Math.round(cnn.o),
    torch_mlp_samples_per_s: Math.round(mlp.t), torch_cnn_samples_per_s: Math.round(cnn.t),
    int8_vs_fp32_latency: int8VsFp32 === null ? null : round3(int8VsFp32),
  }));
}

function round3(v: number): number {
  return Math.round(v * 1000) / 1000;
}

main().catch((err: Error) => {
  console.error(`bench:train: ${err.message.split('\n')[0]}`);
  process.exit(1);
});
