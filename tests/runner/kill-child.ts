// Child process of the kill test: executes runs on the embedded runner against a persisted
// embedded database (or DATABASE_URL), printing one JSON line per activity start and, when a
// run finishes, its stored candidates. `start` runs a reference run A to the end, then starts run
// B (which the parent SIGKILLs mid-way); `resume` finishes whatever run is unfinished.
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
  plugins: { builtins: false, list: fileURLToPath(new URL('../../plugins/pruning', import.meta.url)) },
});
const traced = Object.fromEntries(
  Object.entries(services.activities).map(([name, fn]) => [
    name,
    (ctx: never, input: { candidate?: { key: string } }) => {
      say({ event: 'activity', name, key: input.candidate?.key ?? null, attempt: (ctx as { attempt: number }).attempt });
      return (fn as (c: never, i: unknown) => Promise<unknown>)(ctx, input);
    },
  ]),
) as unknown as ActivityImplementations;
const runner = new EmbeddedRunner({ db: services.database.db, activities: traced, leaseMs: 1500, pollMs: 100, heartbeatFlushMs: 200 });

async function finish(orgId: string, runId: string, label: string): Promise<void> {
  const result = await runner.waitFor(runId, 240_000);
  const candidates = await withTenant(services.database.db, orgId, (trx) =>
    trx.selectFrom('candidates').select(['key', 'status', 'quantization', 'bytes', 'accuracy', 'tflite_sha256', 'pareto']).where('run_id', '=', runId).orderBy('key').execute(),
  );
  const claims = await services.database.db.selectFrom('runner_runs').select('claims').where('run_id', '=', runId).executeTakeFirstOrThrow();
  say({ event: 'done', run: label, result, candidates, claims: claims.claims });
}

const newRun = () =>
  createLocalRun(services.database.db, services.blobs, {
    model: { filename: 'tiny.zip', bytes: readFileSync(modelFile) },
    data: { filename: 'tiny.npz', bytes: readFileSync(dataFile) },
    targets: ['cpu-int8', 'cpu-fp32'],
    techniques: [{ plugin: 'pruning', config: { targetSparsity: 0.5, epochs: 1, samplesPerEpoch: 128 } }],
  });

runner.run();
if (mode === 'start') {
  const a = await newRun();
  await runner.start(a.orgId, a.runId);
  await finish(a.orgId, a.runId, 'A');
  const b = await newRun();
  say({ event: 'run', run: 'B', runId: b.runId });
  await runner.start(b.orgId, b.runId);
  await finish(b.orgId, b.runId, 'B');
} else {
  const row = await services.database.db.selectFrom('runner_runs').select(['run_id', 'input']).where('state', '!=', 'completed').executeTakeFirstOrThrow();
  await finish((row.input as { orgId: string }).orgId, row.run_id, 'B');
}
await runner.stop();
// Exit without closing: the parent only needs the lines above (closing PGlite takes seconds).
process.exit(0);
