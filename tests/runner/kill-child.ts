// Child process of the kill test: executes a run on the embedded runner (two workers) against a
// persisted embedded database (or DATABASE_URL), printing one JSON line per activity start and
// end and, when the run finishes, its stored candidates. The plan (pruning and clustering
// installed, the planner choosing) has two training steps that run at once. `start` creates the
// run and executes it (the parent may SIGKILL it mid-way); `resume` finishes the unfinished run.
//   argv: <dataDir> <modelFile> <dataFile> start|resume
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../services/config.ts';
import { withTenant } from '../../services/db/tenant.ts';
import type { ActivityImplementations } from '../../services/activities/index.ts';
import { EmbeddedRunner } from '../../services/runs/embedded-runner.ts';
import { createLocalRun } from '../../services/runs/local-run.ts';
import { openRunServices } from '../../services/runs/run-services.ts';

const [dataDir, modelFile, dataFile, mode] = process.argv.slice(2) as [string, string, string, 'start' | 'resume'];
const say = (o: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(o)}\n`);

const services = await openRunServices(loadConfig({ ...process.env, CONDENSE_DATA_DIR: dataDir, CONDENSE_BACKEND: 'wasm' }), {
  sizes: { latencyRuns: 0, calibrationSamples: 64, evalSamples: 200 },
  plugins: { builtins: false, list: ['pruning', 'clustering'].map((p) => fileURLToPath(new URL(`../../plugins/${p}`, import.meta.url))).join(',') },
});
const traced = Object.fromEntries(
  Object.entries(services.activities).map(([name, fn]) => [
    name,
    async (ctx: never, input: { candidate?: { key: string }; step?: { id: string } }) => {
      const key = input.candidate?.key ?? input.step?.id ?? null;
      say({ event: 'activity', name, key, attempt: (ctx as { attempt: number }).attempt });
      const result = await (fn as (c: never, i: unknown) => Promise<unknown>)(ctx, input);
      say({ event: 'activity-done', name, key, ...(name === 'runStep' ? { source: (result as { source: string }).source } : {}) });
      return result;
    },
  ]),
) as unknown as ActivityImplementations;
const runner = new EmbeddedRunner({ db: services.database.db, activities: traced, leaseMs: 1500, pollMs: 100, heartbeatFlushMs: 200, workers: 2 });

async function finish(orgId: string, runId: string, label: string): Promise<void> {
  const result = await runner.waitFor(runId, 240_000);
  const candidates = await withTenant(services.database.db, orgId, (trx) =>
    trx.selectFrom('candidates').select(['key', 'status', 'quantization', 'bytes', 'accuracy', 'tflite_sha256', 'pareto', 'failure_message']).where('run_id', '=', runId).orderBy('key').execute(),
  );
  const claims = await services.database.db.selectFrom('runner_runs').select('claims').where('run_id', '=', runId).executeTakeFirstOrThrow();
  say({ event: 'done', run: label, result, candidates, claims: claims.claims });
}

const newRun = () =>
  createLocalRun(services.database.db, services.blobs, {
    model: { filename: 'tiny.zip', bytes: readFileSync(modelFile) },
    data: { filename: 'tiny.npz', bytes: readFileSync(dataFile) },
    targets: ['cpu-int8'],
  });

runner.run();
if (mode === 'start') {
  const run = await newRun();
  say({ event: 'run', runId: run.runId });
  await runner.start(run.orgId, run.runId);
  await finish(run.orgId, run.runId, 'run');
} else {
  const row = await services.database.db.selectFrom('runner_runs').select(['run_id', 'input']).where('state', '!=', 'completed').executeTakeFirstOrThrow();
  await finish((row.input as { orgId: string }).orgId, row.run_id, 'run');
}
await runner.stop();
// Exit without closing: the parent only needs the lines above (closing PGlite takes seconds).
process.exit(0);
