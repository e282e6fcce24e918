// A whole run through the embedded runner with the REAL activities (engine, plugin host, TFLite
// export and runtime, target fit) on a tiny dataset: candidates are stored, their .tflite files
// load, the Pareto front is marked and the timeline holds the run's events.
import { strict as assert } from 'node:assert';
import { after, before, test } from 'node:test';
import { withTenant } from '../../services/db/tenant.ts';
import { loadTfliteModel } from '../../services/engine/runtime/index.ts';
import type { RunServices } from '../../services/runs/run-services.ts';
import { openTestRunServices, runToEnd, type TestRunServices } from '../helpers/local-run.ts';
import { tinyDatasetNpz, tinyModelZip } from './tiny-fixtures.ts';

let stack: TestRunServices;
let services: RunServices;

before(async () => {
  stack = await openTestRunServices('real-run', { latencyRuns: 3, calibrationSamples: 64, evalSamples: 200 });
  ({ services } = stack);
});
after(() => stack.close());

test('a run with a pruning chain produces a measured, int8-exported, stored candidate', async () => {
  const { orgId, runId, result, candidates } = await runToEnd(services, {
    model: { filename: 'tiny.zip', bytes: await tinyModelZip() },
    data: { filename: 'tiny.npz', bytes: tinyDatasetNpz() },
    targets: ['cpu-int8'],
    techniques: [{ plugin: 'pruning', config: { targetSparsity: 0.5, epochs: 1, samplesPerEpoch: 128 } }],
    constraints: {},
  });
  assert.equal(result.status, 'succeeded', result.message);
  const { run, events } = await withTenant(services.database.db, orgId, async (trx) => ({
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
