// A whole run through the embedded runner with the REAL activities (engine, plugin host, TFLite
// export and runtime, target fit) on a tiny dataset: candidates are stored, their .tflite files
// load, the Pareto front is marked and the timeline holds the run's events.
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { loadConfig } from '../../services/config.ts';
import { withTenant } from '../../services/db/tenant.ts';
import { loadTfliteModel } from '../../services/engine/runtime/index.ts';
import { EmbeddedRunner } from '../../services/runs/embedded-runner.ts';
import { createLocalRun } from '../../services/runs/local-run.ts';
import { openRunServices, type RunServices } from '../../services/runs/run-services.ts';
import { createTestDatabase } from '../helpers/database.ts';
import { tinyDatasetNpz, tinyModelZip } from './tiny-fixtures.ts';

let services: RunServices;
let dataDir: string;

before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'condense-real-run-'));
  const database = await createTestDatabase();
  services = await openRunServices(loadConfig({ CONDENSE_DATA_DIR: dataDir, CONDENSE_BACKEND: 'wasm' }), {
    database,
    sizes: { latencyRuns: 3, calibrationSamples: 64, evalSamples: 200 },
  });
});
after(async () => {
  await services.database.close();
  rmSync(dataDir, { recursive: true, force: true });
});

test('a run with a pruning chain produces a measured, int8-exported, stored candidate', async () => {
  const { orgId, runId } = await createLocalRun(services.database.db, services.blobs, {
    model: { filename: 'tiny.zip', bytes: await tinyModelZip() },
    data: { filename: 'tiny.npz', bytes: tinyDatasetNpz() },
    targets: ['cpu-int8'],
    techniques: [{ plugin: 'pruning', config: { targetSparsity: 0.5, epochs: 1, samplesPerEpoch: 128 } }],
    constraints: {},
  });
  const runner = new EmbeddedRunner({ db: services.database.db, activities: services.activities, pollMs: 50 });
  runner.run();
  let result;
  try {
    await runner.start(orgId, runId);
    result = await runner.waitFor(runId, 300_000);
  } finally {
    // A failed wait must not leave the runner polling: the test process would never exit.
    await runner.stop();
  }
  assert.equal(result.status, 'succeeded', result.message);
  const { candidates, run, events } = await withTenant(services.database.db, orgId, async (trx) => ({
    candidates: await trx.selectFrom('candidates').selectAll().where('run_id', '=', runId).orderBy('key').execute(),
    run: await trx.selectFrom('compression_runs').selectAll().where('id', '=', runId).executeTakeFirstOrThrow(),
    events: await trx.selectFrom('run_events').select(['seq', 'type']).where('run_id', '=', runId).orderBy('seq').execute(),
  }));
  assert.equal(run.status, 'succeeded');
  assert.deepEqual(candidates.map((c) => c.key), ['cpu-int8:pruning+int8']);
  const [c] = candidates;
  assert.equal(c!.status, 'succeeded', c!.failure_message ?? '');
  assert.ok(c!.accuracy! > 0.8, `accuracy ${c!.accuracy}`);
  assert.equal(c!.quantization, 'int8');
  assert.ok(Number(c!.bytes) > 0 && c!.compression_ratio! > 1, `ratio ${c!.compression_ratio}`);
  assert.equal(c!.pareto, true);
  const tflite = await services.blobs.read(c!.tflite_sha256!);
  const loaded = await loadTfliteModel(tflite);
  loaded.dispose();
  const types = events.map((e) => e.type);
  for (const t of ['RUN_STARTED', 'PHASE_CHANGED', 'CANDIDATE_STARTED', 'CANDIDATE_FINISHED', 'RUN_SUCCEEDED']) assert.ok(types.includes(t as never), `missing ${t} in ${types.join(',')}`);
});
