// Issue #12: no plugin code runs in the API or runner process — built-in plugins included. One
// process wired as `condense serve` wires it (API, embedded runner, plugin host with every
// built-in plugin of this repository plus a canary built-in) runs a compression run through the
// API with the canary, whose candidate holds the host-provided LshProjection layer: the runner
// loads, evaluates, exports and measures it. Every module this process loads is recorded through
// module hooks; none is a plugin's module or bundle (the SDK and the engine only), and the canary,
// which appends its pid to a file wherever its code runs unsandboxed, left no mark for this
// process. Finally the test imports the canary itself: both detectors see that.
import { strict as assert } from 'node:assert';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { startModuleLog } from '../helpers/module-log.ts';

// Before the services load: everything they import from here on is recorded.
const modules = startModuleLog();
const { pluginCatalogFromHost } = await import('../../services/api/defaults.ts');
const { createServer } = await import('../../services/api/server.ts');
const { loadConfig } = await import('../../services/config.ts');
const { withTenant } = await import('../../services/db/tenant.ts');
const { EmbeddedRunner } = await import('../../services/runs/embedded-runner.ts');
const { createLocalRun } = await import('../../services/runs/local-run.ts');
const { openRunServices } = await import('../../services/runs/run-services.ts');
const { bootstrapOrganization } = await import('../../services/tenancy/bootstrap.ts');
const { toGlobalId } = await import('../../services/api/ids.ts');
const { ok } = await import('../api/harness.ts');
const { createTestDatabase } = await import('../helpers/database.ts');
const { tinyDatasetNpz, tinyModelZip } = await import('../runner/tiny-fixtures.ts');

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO = resolve(HERE, '..', '..');
const REPO_PLUGINS = join(REPO, 'plugins');
const CANARY = join(REPO, 'tests', 'fixtures', 'builtin-root', 'plugins', 'canary');
const MARK_FILE = '/tmp/condense-canary-imports.log';

let services: Awaited<ReturnType<typeof openRunServices>>;
let runner: InstanceType<typeof EmbeddedRunner>;
let server: Awaited<ReturnType<typeof createServer>>;
let dataDir: string;
let pluginsRoot: string;
let apiKey: string;
let orgId: string;
let inputs: { modelVersionId: string; datasetId: string };

function marksOfThisProcess(): string[] {
  if (!existsSync(MARK_FILE)) return [];
  return readFileSync(MARK_FILE, 'utf8').split('\n').filter((line) => line.startsWith(`${process.pid} `));
}

/** Data of a successful operation with the test's key (the API harness's `ok`). */
const gql = <T>(query: string, variables: Record<string, unknown> = {}): Promise<T> => ok<T>(server, apiKey, query, variables);

before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'condense-no-plugin-code-'));
  // Every built-in plugin of the repository, and the canary as one more built-in.
  pluginsRoot = mkdtempSync(join(tmpdir(), 'condense-no-plugin-code-root-'));
  mkdirSync(join(pluginsRoot, 'plugins'));
  for (const name of readdirSync(REPO_PLUGINS)) symlinkSync(join(REPO_PLUGINS, name), join(pluginsRoot, 'plugins', name));
  symlinkSync(CANARY, join(pluginsRoot, 'plugins', 'canary'));
  const database = await createTestDatabase();
  const config = loadConfig({ CONDENSE_DATA_DIR: dataDir, CONDENSE_BACKEND: 'wasm', PORT: '0' });
  services = await openRunServices(config, {
    database,
    sizes: { latencyRuns: 1, calibrationSamples: 32, evalSamples: 200 },
    plugins: { rootDir: pluginsRoot, list: '' },
  });
  const boot = await bootstrapOrganization(database.db, { name: 'Local', slug: 'local', ownerEmail: 'owner@example.com', ownerName: 'Owner' });
  apiKey = boot.apiKey.secret;
  const seeded = await createLocalRun(database.db, services.blobs, {
    model: { filename: 'tiny.zip', bytes: await tinyModelZip() },
    data: { filename: 'tiny.npz', bytes: tinyDatasetNpz() },
    targets: ['cpu-fp32'],
  });
  orgId = seeded.orgId;
  const row = await withTenant(database.db, orgId, (trx) =>
    trx.selectFrom('compression_runs').select(['model_version_id', 'dataset_id']).where('id', '=', seeded.runId).executeTakeFirstOrThrow());
  inputs = { modelVersionId: toGlobalId('ModelVersion', row.model_version_id), datasetId: toGlobalId('Dataset', row.dataset_id) };
  runner = new EmbeddedRunner({ db: database.db, activities: services.activities, pollMs: 100 });
  runner.run();
  server = await createServer({
    database, config, launcher: runner, blobs: services.blobs,
    plugins: pluginCatalogFromHost(async () => services.pluginHost), port: 0, log: () => undefined,
  });
});

after(async () => {
  await server?.close();
  await runner?.stop();
  await services?.pluginHost.close();
  await services?.database.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  if (pluginsRoot) rmSync(pluginsRoot, { recursive: true, force: true });
});

test('a run through the API and the runner loads no plugin module into their process', async () => {
  const installed = services.pluginHost.list().map((p) => p.manifest.name);
  for (const name of ['fixture-canary', 'projection', 'pruning', 'quantization', 'distillation']) assert.ok(installed.includes(name), `${name} is installed (${installed})`);
  assert.deepEqual(services.pluginHost.errors, []);

  const { startRun } = await gql<{ startRun: { run: { id: string }; userErrors: unknown[] } }>(
    `mutation($input: StartRunInput!) { startRun(input: $input) { run { id } userErrors { code message } } }`,
    { input: { ...inputs, targets: ['cpu-fp32'], techniques: [{ plugin: 'fixture-canary', config: { epochs: 5 } }] } },
  );
  assert.deepEqual(startRun.userErrors, []);
  const runId = Buffer.from(startRun.run.id, 'base64url').toString('utf8').split(':')[1]!;
  const result = await runner.waitFor(runId, 300_000);
  assert.equal(result.status, 'succeeded', result.message ?? '');
  const candidates = await withTenant(services.database.db, orgId, (trx) => trx.selectFrom('candidates').selectAll().where('run_id', '=', runId).execute());
  assert.equal(candidates.length, 1);
  const [candidate] = candidates;
  assert.equal(candidate.status, 'succeeded', candidate.failure_message ?? '');
  assert.ok(Number(candidate.bytes) > 0, 'exported to TFLite');
  assert.ok(candidate.accuracy !== null, 'evaluated');

  // No module of a plugin (its sources, through a link or not, or its sandbox bundle) was loaded here.
  await modules.settle();
  const loaded = [...modules.urls].filter((u) => u.startsWith('file:')).map((u) => fileURLToPath(u));
  assert.ok(loaded.some((f) => f.startsWith(join(REPO, 'services', 'engine'))), 'the log saw the engine load');
  const pluginCode = loaded.filter((f) =>
    (f.startsWith(`${REPO_PLUGINS}/`) && !f.startsWith(join(REPO_PLUGINS, 'sdk') + '/'))
    || f.startsWith(`${pluginsRoot}/`) || f.startsWith(`${CANARY}/`) || f.includes('/node_modules/.cache/condense/'));
  assert.deepEqual(pluginCode, []);
  assert.deepEqual(marksOfThisProcess(), [], 'the canary\'s code never ran in this process');

  // The detectors work: importing the canary here is seen by both.
  const canaryUrl = pathToFileURL(join(CANARY, 'index.ts')).href;
  await import(canaryUrl);
  await modules.settle();
  assert.ok(modules.urls.has(canaryUrl));
  assert.deepEqual(marksOfThisProcess(), [`${process.pid} module top level`]);
  rmSync(MARK_FILE, { force: true });
});
