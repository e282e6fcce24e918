// `condense compress` as a user runs it: a whole local compression run in a child process that
// writes loadable .tflite files. Slow lane: it trains and exports.
import { strict as assert } from 'node:assert';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { openDatabase } from '../../services/db/database.ts';
import { withTenant } from '../../services/db/tenant.ts';
import { loadTfliteModel } from '../../services/engine/runtime/index.ts';
import { localOrganization } from '../../services/runs/local-run.ts';
import { tinyDatasetNpz, tinyModelZip } from '../runner/tiny-fixtures.ts';
import { condense, noStackTrace, work } from './cli-helpers.ts';

before(async () => {
  writeFileSync(join(work, 'model.zip'), await tinyModelZip());
  writeFileSync(join(work, 'data.npz'), tinyDatasetNpz());
});
after(() => rmSync(work, { recursive: true, force: true }));

test('compress runs a whole compression locally and writes the candidates\' .tflite files', async () => {
  const out = join(work, 'out');
  const { code, stdout, stderr } = await condense([
    'compress', '--model', 'model.zip', '--data', 'data.npz', '--target', 'cpu-int8', '--max-size', '200kb',
    '--technique', 'pruning={"targetSparsity":0.5,"epochs":1,"samplesPerEpoch":128}', '--out', out, '--eval-samples', '200',
    '--hardware', 'gpu', '--data-dir', join(work, 'run-data'),
  ], { CONDENSE_BACKEND: 'wasm' });
  assert.equal(code, 0, stderr);
  noStackTrace(stderr + stdout);
  assert.match(stdout, /^\*\s+cpu-int8:pruning\+int8\s+cpu-int8\s+int8\s+\d+\.\d\d%/m);
  assert.match(stderr, /run succeeded/);
  const file = join(out, 'cpu-int8_pruning_int8.tflite');
  assert.ok(existsSync(file));
  const model = await loadTfliteModel(new Uint8Array(readFileSync(file)));
  assert.deepEqual(model.inputs[0]!.shape.slice(-1), [16]);
  model.dispose();
  // --hardware is the run's hardware class, stored with it (what a Temporal deployment routes by).
  const database = await openDatabase({ databaseUrl: undefined, dataDir: join(work, 'run-data') });
  try {
    const orgId = await localOrganization(database.db);
    const runs = await withTenant(database.db, orgId, (trx) => trx.selectFrom('compression_runs').select('hardware_class').execute());
    assert.deepEqual(runs.map((r) => r.hardware_class), ['gpu']);
  } finally {
    await database.close();
  }
});
