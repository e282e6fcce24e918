// Benchmarks measure the path users run: a run created as `condense compress` creates it
// (createLocalRun), executed by the embedded runner with the real activities, and read back from
// what the run stored — candidates, the baseline the orchestration recorded, and every plan step
// (runStep) with its plugin, whether it trained or was found finished, and how long it took.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Selectable } from 'kysely';
import { loadConfig } from '../../services/config.ts';
import { withTenant } from '../../services/db/tenant.ts';
import type { CandidatesTable } from '../../services/db/types/index.ts';
import type { ActivitySizes } from '../../services/activities/index.ts';
import { planForRun, type PlanTuning } from '../../services/planner/index.ts';
import { EmbeddedRunner } from '../../services/runs/embedded-runner.ts';
import { createLocalRun, type LocalRunRequest } from '../../services/runs/local-run.ts';
import { openRunServices, type RunServices } from '../../services/runs/run-services.ts';
import type { BaselineMetrics, RunResult, StepResult } from '../../workflows/types.ts';

export interface StoredStep {
  plugin: string;
  source: StepResult['source'];
  /** Models the call returned (distillation: one per student). */
  outputs: string[];
  /** Wall time of the plugin call as stored with the step artifact. */
  seconds: number;
}

export interface StoredRun {
  result: RunResult;
  baseline: BaselineMetrics;
  candidates: Selectable<CandidatesTable>[];
  steps: StoredStep[];
  seconds: number;
}

export interface RunnerStack {
  services: RunServices;
  runner: EmbeddedRunner;
  /** Runs `request` to the end with the planner tuned by `tuning`. */
  run(request: LocalRunRequest, tuning?: PlanTuning): Promise<StoredRun>;
  close(): Promise<void>;
}

export async function openRunnerStack(options: { sizes?: ActivitySizes; log?: (line: string) => void; env?: NodeJS.ProcessEnv } = {}): Promise<RunnerStack> {
  const dataDir = mkdtempSync(join(tmpdir(), 'condense-bench-'));
  const config = loadConfig({ ...process.env, ...options.env, CONDENSE_DATA_DIR: dataDir, DATABASE_URL: '', TEMPORAL_ADDRESS: '' });
  let tuning: PlanTuning = {};
  const services = await openRunServices(config, {
    planner: (request) => planForRun(request, tuning),
    ...(options.sizes ? { sizes: options.sizes } : {}),
    ...(options.log ? { log: options.log } : {}),
  });
  // A plugin that failed to load changes the plan: say so rather than measure a smaller one.
  const installed = services.pluginHost.list().map((p) => p.manifest.name);
  options.log?.(`plugins: ${installed.join(', ')}`);
  for (const e of services.pluginHost.errors) options.log?.(`plugin refused: ${e.message}`);
  const runner = new EmbeddedRunner({ db: services.database.db, activities: services.activities, pollMs: 200, workers: config.workers, ...(options.log ? { log: options.log } : {}) });
  runner.run();
  const db = services.database.db;
  return {
    services,
    runner,
    async run(request, runTuning = {}) {
      tuning = runTuning;
      const t0 = performance.now();
      const { orgId, runId } = await createLocalRun(db, services.blobs, request);
      await runner.start(orgId, runId);
      const result = await runner.waitFor(runId, 7 * 24 * 3600_000);
      const seconds = (performance.now() - t0) / 1000;
      const journal = await runner.journal.entries(runId);
      const baseline = journal.find((e) => e.name === 'evaluateBaseline' && e.status === 'completed')?.result as BaselineMetrics;
      const stepResults = journal.filter((e) => e.name === 'runStep' && e.status === 'completed').map((e) => e.result as StepResult);
      const { candidates, artifacts } = await withTenant(db, orgId, async (trx) => ({
        candidates: await trx.selectFrom('candidates').selectAll().where('run_id', '=', runId).orderBy('key').execute(),
        artifacts: stepResults.length === 0 ? [] : await trx.selectFrom('step_artifacts').select(['key', 'plugin', 'duration_ms']).where('key', 'in', stepResults.map((s) => s.key)).execute(),
      }));
      const byKey = new Map(artifacts.map((a) => [a.key, a]));
      const steps = stepResults.map((s) => ({
        plugin: byKey.get(s.key)?.plugin ?? 'unknown',
        source: s.source,
        outputs: s.outputs.map((o) => o.name),
        seconds: (byKey.get(s.key)?.duration_ms ?? 0) / 1000,
      }));
      return { result, baseline, candidates, steps, seconds };
    },
    async close() {
      await runner.stop();
      await services.pluginHost.close();
      await services.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
