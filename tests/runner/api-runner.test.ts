// The API and the embedded runner wired together as `condense serve` does: startRun through
// GraphQL reaches the runner (RunLauncher.start), the run executes and its status and candidates
// come back through the API; cancelRun (RunLauncher.cancel) stops a running run.
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { pluginCatalogFromHost } from '../../services/api/defaults.ts';
import { toGlobalId } from '../../services/api/ids.ts';
import { createServer, type ApiServer } from '../../services/api/server.ts';
import { loadConfig } from '../../services/config.ts';
import { withTenant } from '../../services/db/tenant.ts';
import { EmbeddedRunner } from '../../services/runs/embedded-runner.ts';
import { createLocalRun } from '../../services/runs/local-run.ts';
import { openRunServices, type RunServices } from '../../services/runs/run-services.ts';
import { bootstrapOrganization } from '../../services/tenancy/bootstrap.ts';
import { ok } from '../api/harness.ts';
import { createTestDatabase } from '../helpers/database.ts';
import { tinyDatasetNpz, tinyModelZip } from './tiny-fixtures.ts';

let services: RunServices;
let runner: EmbeddedRunner;
let server: ApiServer;
let dataDir: string;
let apiKey: string;
let orgId: string;
let modelVersionId: string;
let datasetId: string;

/** Data of a successful operation with the test's key (the API harness's `ok`). */
const gql = <T>(query: string, variables: Record<string, unknown> = {}): Promise<T> => ok<T>(server, apiKey, query, variables);

const START = `mutation($input: StartRunInput!) { startRun(input: $input) { run { id status } userErrors { code message } } }`;
const STATUS = `query($id: ID!) { node(id: $id) { ... on CompressionRun { status phase message } } }`;
type Status = { node: { status: string; phase: string | null; message: string | null } };

async function waitForStatus(id: string, wanted: string[], timeoutMs = 300_000): Promise<Status['node']> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { node } = await gql<Status>(STATUS, { id });
    if (wanted.includes(node.status)) return node;
    assert.ok(Date.now() < deadline, `run stayed ${node.status}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'condense-api-runner-'));
  const database = await createTestDatabase();
  const config = loadConfig({ CONDENSE_DATA_DIR: dataDir, CONDENSE_BACKEND: 'wasm', PORT: '0' });
  services = await openRunServices(config, {
    database,
    sizes: { latencyRuns: 0, calibrationSamples: 64, evalSamples: 200 },
    plugins: { builtins: false, list: fileURLToPath(new URL('../../plugins/pruning', import.meta.url)) },
  });
  // The org `condense compress` would use, bootstrapped here so we keep its first API key.
  const boot = await bootstrapOrganization(database.db, { name: 'Local', slug: 'local', ownerEmail: 'owner@example.com', ownerName: 'Owner' });
  apiKey = boot.apiKey.secret;
  const seeded = await createLocalRun(database.db, services.blobs, {
    model: { filename: 'tiny.zip', bytes: await tinyModelZip() },
    data: { filename: 'tiny.npz', bytes: tinyDatasetNpz() },
    targets: ['cpu-int8'],
  });
  orgId = seeded.orgId;
  const row = await withTenant(database.db, orgId, (trx) =>
    trx.selectFrom('compression_runs').select(['model_version_id', 'dataset_id']).where('id', '=', seeded.runId).executeTakeFirstOrThrow(),
  );
  modelVersionId = toGlobalId('ModelVersion', row.model_version_id);
  datasetId = toGlobalId('Dataset', row.dataset_id);
  runner = new EmbeddedRunner({ db: database.db, activities: services.activities, pollMs: 100, leaseMs: 3000 });
  runner.run();
  server = await createServer({
    database,
    config,
    launcher: runner,
    blobs: services.blobs,
    plugins: pluginCatalogFromHost(async () => services.pluginHost),
    port: 0,
    log: () => undefined,
  });
});

after(async () => {
  await server?.close();
  await runner?.stop();
  await services?.database.close();
  rmSync(dataDir, { recursive: true, force: true });
});

test('startRun through the API executes the run on the embedded runner, with the hardware class asked for', async () => {
  const { startRun } = await gql<{ startRun: { run: { id: string; status: string }; userErrors: unknown[] } }>(START, {
    input: { modelVersionId, datasetId, targets: ['cpu-int8'], hardwareClass: 'GPU', techniques: [{ plugin: 'pruning', config: { targetSparsity: 0.5, epochs: 1, samplesPerEpoch: 128 } }] },
  });
  assert.deepEqual(startRun.userErrors, []);
  // The class is the run's (API) and the orchestration's input (it picks the training task queue).
  const { node: asked } = await gql<{ node: { hardwareClass: string } }>(`query($id: ID!) { node(id: $id) { ... on CompressionRun { hardwareClass } } }`, { id: startRun.run.id });
  assert.equal(asked.hardwareClass, 'GPU');
  const uuid = Buffer.from(startRun.run.id, 'base64url').toString('utf8').split(':')[1]!;
  const queued = await services.database.db.selectFrom('runner_runs').select('input').where('run_id', '=', uuid).executeTakeFirstOrThrow();
  assert.equal((queued.input as { hardwareClass: string }).hardwareClass, 'gpu');
  const final = await waitForStatus(startRun.run.id, ['SUCCEEDED', 'FAILED', 'CANCELLED']);
  assert.equal(final.status, 'SUCCEEDED', final.message ?? '');
  const { node } = await gql<{ node: { candidates: { totalCount: number; edges: { node: { pareto: boolean } }[] } } }>(
    `query($id: ID!) { node(id: $id) { ... on CompressionRun { candidates(first: 10) { totalCount edges { node { pareto } } } } } }`,
    { id: startRun.run.id },
  );
  assert.equal(node.candidates.totalCount, 1);
  assert.equal(node.candidates.edges[0]!.node.pareto, true);
});

test('cancelRun through the API stops a running run', async () => {
  const { startRun } = await gql<{ startRun: { run: { id: string } } }>(START, {
    input: { modelVersionId, datasetId, targets: ['cpu-int8'], techniques: [{ plugin: 'pruning', config: { targetSparsity: 0.5, epochs: 200 } }] },
  });
  await waitForStatus(startRun.run.id, ['RUNNING']);
  // Let it reach the training activity (the orchestration's status says so).
  const runId = Buffer.from(startRun.run.id, 'base64url').toString('utf8').split(':')[1]!;
  for (let i = 0; i < 600 && runner.status(runId)?.phase !== 'candidates'; i++) await new Promise((r) => setTimeout(r, 100));
  assert.equal(runner.status(runId)?.phase, 'candidates');
  const asked = Date.now();
  await gql(`mutation($input: RunIdInput!) { cancelRun(input: $input) { userErrors { code message } } }`, { input: { runId: startRun.run.id } });
  const final = await waitForStatus(startRun.run.id, ['SUCCEEDED', 'FAILED', 'CANCELLED'], 60_000);
  assert.equal(final.status, 'CANCELLED');
  assert.ok(Date.now() - asked < 30_000, `cancellation took ${Date.now() - asked} ms`);
});
