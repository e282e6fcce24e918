// The real compressCandidate activity under Temporal's MockActivityEnvironment: it applies a
// two-plugin chain, heartbeating a checkpoint (blob of the model so far) after each plugin, and a
// retried attempt given those heartbeat details skips the plugins already applied; a step whose
// result was recorded (content-addressed, activities/steps.ts) is not run again either.
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createActivities, type PluginInvoker } from '../../services/activities/index.ts';
import { temporalActivities } from '../../services/activities/temporal-adapter.ts';
import { loadConfig } from '../../services/config.ts';
import { createLocalRun } from '../../services/runs/local-run.ts';
import { withTenant } from '../../services/db/tenant.ts';
import { openRunServices, type RunServices } from '../../services/runs/run-services.ts';
import { planForRun } from '../../services/planner/index.ts';
import { pluginInvoker } from '../../services/activities/plugin-invoker.ts';
import type { CompressCheckpoint, CompressedModel, PlannedCandidate } from '../../workflows/types.ts';
import { createTestDatabase } from '../helpers/database.ts';
import { tinyDatasetNpz, tinyModelZip } from '../runner/tiny-fixtures.ts';

let services: RunServices;
let dataDir: string;
let ref: { orgId: string; runId: string };
/** Plugin calls made through the real plugin host, in order. */
const calls: string[] = [];
let compress: (input: any) => Promise<any>;

const candidate: PlannedCandidate = {
  key: 'cpu-int8:prune-50+prune-75',
  chain: [
    { plugin: 'pruning', config: { targetSparsity: 0.5, epochs: 0 } },
    { plugin: 'pruning', config: { targetSparsity: 0.75, epochs: 0 } },
  ],
  target: 'cpu-int8',
  quantization: 'int8',
};

before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'condense-compress-activity-'));
  services = await openRunServices(loadConfig({ CONDENSE_DATA_DIR: dataDir, CONDENSE_BACKEND: 'wasm' }), {
    database: await createTestDatabase(),
    plugins: { builtins: false, list: fileURLToPath(new URL('../../plugins/pruning', import.meta.url)) },
  });
  ref = await createLocalRun(services.database.db, services.blobs, {
    model: { filename: 'tiny.zip', bytes: await tinyModelZip() },
    data: { filename: 'tiny.npz', bytes: tinyDatasetNpz() },
    targets: ['cpu-int8'],
  });
  // The real plugin host, observed: each invocation is noted, then passed on unchanged.
  const real = await pluginInvoker(services.pluginHost);
  const observed: PluginInvoker = {
    list: () => real.list(),
    invoke: (request) => {
      calls.push(`${request.plugin}:${String(request.config.targetSparsity)}`);
      return real.invoke(request);
    },
  };
  const activities = createActivities({ db: services.database.db, blobs: services.blobs, plugins: observed, planner: planForRun, scratchDir: dataDir });
  compress = temporalActivities(activities).compressCandidate!;
});
after(async () => {
  await services.database.close();
  rmSync(dataDir, { recursive: true, force: true });
});

test('each applied plugin is checkpointed in a heartbeat; a retry resumes after the last one', async () => {
  const env = new MockActivityEnvironment();
  const beats: CompressCheckpoint[] = [];
  env.on('heartbeat', (d: CompressCheckpoint) => beats.push(d));
  const full = (await env.run(compress, { ...ref, candidate })) as CompressedModel;
  assert.deepEqual(calls, ['pruning:0.5', 'pruning:0.75']);
  const checkpoints = beats.filter((b) => b.modelSha256);
  assert.deepEqual([...new Set(checkpoints.map((b) => b.completedSteps))], [1, 2]);
  assert.equal(full.modelSha256, checkpoints.at(-1)!.modelSha256);
  assert.equal(full.notes.length, 2);

  // Attempt 2, as Temporal would start it after the worker died during the second plugin: that
  // step's result was never recorded, so its content-addressed row is not there.
  calls.length = 0;
  const afterFirst = checkpoints.find((b) => b.completedSteps === 1)!;
  await withTenant(services.database.db, ref.orgId, (trx) => trx.deleteFrom('step_artifacts').where('input_sha256', '=', afterFirst.modelSha256!).execute());
  const retry = new MockActivityEnvironment({ attempt: 2, heartbeatDetails: afterFirst });
  const resumed = (await retry.run(compress, { ...ref, candidate })) as CompressedModel;
  assert.deepEqual(calls, ['pruning:0.75'], 'only the plugin after the checkpoint runs again');
  assert.equal(resumed.notes.length, 2);
  assert.equal(resumed.notes[0], afterFirst.notes[0]);
  assert.ok(await services.blobs.stat(resumed.modelSha256), 'the resumed model is stored');

  // Attempt 3 after a crash once both steps were recorded: nothing runs again.
  calls.length = 0;
  const third = (await new MockActivityEnvironment({ attempt: 3, heartbeatDetails: afterFirst }).run(compress, { ...ref, candidate })) as CompressedModel;
  assert.deepEqual(calls, [], 'the recorded step is reused, not retrained');
  assert.equal(third.modelSha256, resumed.modelSha256);
});
