// `condense compress`: a whole run on this machine — embedded database in a data directory
// (temporary unless --data-dir), the embedded runner, live progress, the candidate table, and
// the .tflite files written to --out.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { loadConfig } from '../config.ts';
import { withTenant } from '../db/tenant.ts';
import { ARCHITECTURE_CHANGING_PLUGINS, getTarget, preflightRefusal } from '../targets/index.ts';
import { initEngine } from '../engine/backend/index.ts';
import { openDataset } from '../engine/data/index.ts';
import { EmbeddedRunner } from '../runs/embedded-runner.ts';
import { createLocalRun } from '../runs/local-run.ts';
import { openRunServices } from '../runs/run-services.ts';
import type { BaselineMetrics } from '../../workflows/types.ts';
import { CliError } from './errors.ts';
import { parseBudgetOption, parseNumber, parseSize, parseTechnique } from './parse.ts';
import { formatPreflight, preflightOf } from './preflight.ts';
import { watchRunProgress } from './progress.ts';
import { formatCandidateTable, type CandidateRow } from './table.ts';

export interface CompressOptions {
  model: string;
  data: string;
  target: string[];
  technique?: string[];
  maxSize?: string;
  maxLatency?: string;
  minAccuracy?: string;
  maxAccuracyDrop?: string;
  out?: string;
  dataDir?: string;
  evalSamples?: string;
  /** The run's hardware class: cpu or gpu. */
  hardware?: string;
  /** --budget 10m: seconds of training the planner may spend. */
  budget?: string;
  /** Commander's --no-progress. */
  progress?: boolean;
}

export function readInput(option: string, path: string): { filename: string; bytes: Uint8Array } {
  try {
    return { filename: basename(path), bytes: readFileSync(path) };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new CliError(`${option}: cannot read ${path}${code === 'ENOENT' ? ' (no such file)' : code === 'EISDIR' ? ' (a directory)' : ''}`);
  }
}

export async function compressCommand(options: CompressOptions): Promise<void> {
  if (!options.target?.length) throw new CliError('no --target given', 'e.g. --target cpu-int8 --target mcu-int8; `condense targets list` shows them all');
  for (const t of options.target) getTarget(t);
  const constraints = {
    ...(options.maxSize ? { maxBytes: parseSize('--max-size', options.maxSize) } : {}),
    ...(options.maxLatency ? { maxLatencyMs: parseNumber('--max-latency', options.maxLatency, { min: 0 }) } : {}),
    ...(options.minAccuracy ? { minAccuracy: parseNumber('--min-accuracy', options.minAccuracy, { min: 0, max: 1 }) } : {}),
    ...(options.maxAccuracyDrop ? { maxAccuracyDrop: parseNumber('--max-accuracy-drop', options.maxAccuracyDrop, { min: 0, max: 1 }) } : {}),
  };
  const techniques = options.technique?.length ? options.technique.map(parseTechnique) : null;
  const hardwareClass = options.hardware ?? 'cpu';
  if (hardwareClass !== 'cpu' && hardwareClass !== 'gpu') throw new CliError(`--hardware: unknown class "${hardwareClass}"`, 'use cpu or gpu');
  const budgetSeconds = options.budget ? parseBudgetOption(options.budget) : undefined;
  const model = readInput('--model', options.model);
  const data = readInput('--data', options.data);
  const outDir = resolve(options.out ?? 'condense-out');
  // Check the inputs before creating a database: a bad file should fail in a second, not after setup.
  await initEngine(loadConfig().backend);
  const preflight = await preflightOf(model);
  await (await openDataset(data, { seed: 1 })).close();
  if (preflight) {
    process.stderr.write(`${formatPreflight(preflight, options.target)}\n`);
    // As the API's startRun: refuse now what would fail at the baseline or produce nothing.
    const reshapes = techniques === null || techniques.some((t) => ARCHITECTURE_CHANGING_PLUGINS.includes(t.plugin));
    const refusal = preflightRefusal(preflight, options.target, reshapes);
    if (refusal) throw new CliError(refusal, '`condense inspect --model <file>` shows the pre-flight for every target');
  }

  const temporary = !options.dataDir;
  const dataDir = options.dataDir ? resolve(options.dataDir) : mkdtempSync(join(tmpdir(), 'condense-'));
  // A local run always uses the embedded runner and an embedded database in this data dir;
  // DATABASE_URL and TEMPORAL_ADDRESS are for serve/worker.
  const config = loadConfig({ ...process.env, CONDENSE_DATA_DIR: dataDir, TEMPORAL_ADDRESS: '', DATABASE_URL: '' });
  const log = (m: string) => process.stderr.write(`${m}\n`);
  log(`condense: preparing (data in ${dataDir}${temporary ? ', removed afterwards' : ''})`);
  const services = await openRunServices(config, {
    sizes: options.evalSamples ? { evalSamples: parseNumber('--eval-samples', options.evalSamples, { min: 1 }) } : {},
    log,
  });
  const runner = new EmbeddedRunner({ db: services.database.db, activities: services.activities, pollMs: 200, log, workers: config.workers });
  const onSignal = () => {
    log('condense: interrupted, stopping…');
    void runner.stop().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  try {
    for (const p of techniques ?? []) services.pluginHost.validateConfig(p.plugin, p.config);
    const { orgId, runId } = await createLocalRun(services.database.db, services.blobs, {
      model, data, targets: options.target, constraints, techniques, hardwareClass, ...(budgetSeconds ? { budgetSeconds } : {}),
    });
    const progress = options.progress === false ? null : watchRunProgress(services.database.db, orgId, runId);
    runner.run();
    await runner.start(orgId, runId, { hardwareClass });
    const result = await runner.waitFor(runId, 7 * 24 * 3600_000);
    await runner.stop();
    await progress?.stop();

    const baseline = (await runner.journal.entries(runId)).find((e) => e.name === 'evaluateBaseline' && e.status === 'completed')?.result as BaselineMetrics | undefined;
    const candidates = await withTenant(services.database.db, orgId, (trx) =>
      trx.selectFrom('candidates').selectAll().where('run_id', '=', runId).orderBy('created_at').execute(),
    );
    mkdirSync(outDir, { recursive: true });
    const rows: CandidateRow[] = [];
    for (const c of candidates) {
      let file: string | null = null;
      if (c.status === 'succeeded' && c.tflite_sha256) {
        file = join(outDir, `${c.key.replace(/[^A-Za-z0-9._-]+/g, '_')}.tflite`);
        writeFileSync(file, await services.blobs.read(c.tflite_sha256));
      }
      rows.push({
        key: c.key,
        target: c.target,
        status: c.status,
        quantization: c.quantization,
        accuracy: c.accuracy,
        sourceAccuracy: c.source_accuracy,
        bytes: c.bytes == null ? null : Number(c.bytes),
        downloadBytes: c.download_bytes == null ? null : Number(c.download_bytes),
        compressionRatio: c.compression_ratio,
        estimatedLatencyMs: c.estimated_latency_ms,
        hostLatencyMs: c.host_latency_ms,
        fits: c.fits,
        fitFailures: c.fit_failures,
        pareto: c.pareto,
        failure: c.failure_message,
        file: file ? basename(file) : null,
      });
    }
    process.stdout.write(`${formatCandidateTable(rows, baseline)}\n`);
    for (const c of candidates) {
      if (c.status === 'succeeded' && !c.fits) process.stdout.write(`  ${c.key} does not fit: ${c.fit_failures.map((f) => f.message).join('; ')}\n`);
    }
    if (rows.some((r) => r.file)) process.stdout.write(`\n.tflite files written to ${outDir}\n`);
    if (result.status !== 'succeeded') throw new CliError(`run ${result.status}${result.message ? `: ${result.message}` : ''}`);
  } finally {
    process.removeListener('SIGINT', onSignal);
    await runner.stop();
    await services.close();
    if (temporary) rmSync(dataDir, { recursive: true, force: true });
  }
}
