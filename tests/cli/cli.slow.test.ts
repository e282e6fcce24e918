// The `condense` CLI as a user runs it (bin/condense.js in a child process): catalog listings,
// one-line errors with hints and a failing exit code, migrations. The whole local compression run
// is in compress.slow.test.ts.
import { strict as assert } from 'node:assert';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { migrations } from '../../migrations/index.ts';
import { tinyDatasetNpz, tinyModelZip } from '../runner/tiny-fixtures.ts';
import { condense, noStackTrace, work } from './cli-helpers.ts';

before(async () => {
  writeFileSync(join(work, 'model.zip'), await tinyModelZip());
  writeFileSync(join(work, 'data.npz'), tinyDatasetNpz());
  writeFileSync(join(work, 'garbage.h5'), 'not an hdf5 file');
});
after(() => rmSync(work, { recursive: true, force: true }));

test('targets list prints the catalog', async () => {
  const { code, stdout } = await condense(['targets', 'list']);
  assert.equal(code, 0);
  for (const id of ['cpu-fp32', 'cpu-int8', 'gpu-fp16', 'edgetpu-int8', 'mcu-int8', 'browser-wasm']) assert.match(stdout, new RegExp(`^${id}\\s`, 'm'));
});

test('plugins list prints the installed plugins', async () => {
  const { code, stdout } = await condense(['plugins', 'list', '--json']);
  assert.equal(code, 0);
  const names = (JSON.parse(stdout) as { name: string }[]).map((m) => m.name);
  assert.ok(names.includes('pruning'), names.join(','));
  // The table ends with the isolation plugin processes get on this host (docs/security.md).
  const table = await condense(['plugins', 'list']);
  assert.match(table.stdout, /^pruning\s/m);
  assert.match(table.stdout, /^plugin sandbox: (root|user-namespace|permission-only) \(/m);
});

test('bad input fails with one clear line, a hint and exit code 1', async () => {
  const cases: [string[], RegExp][] = [
    [['compress', '--model', 'missing.h5', '--data', 'data.npz', '--target', 'cpu-int8'], /--model: cannot read missing\.h5 \(no such file\)/],
    [['compress', '--model', 'model.zip', '--data', 'data.npz', '--target', 'nope-int8'], /unknown hardware target "nope-int8"/],
    [['compress', '--model', 'model.zip', '--data', 'data.npz', '--target', 'cpu-int8', '--max-size', 'big'], /--max-size: cannot read size "big"/],
    [['compress', '--model', 'model.zip', '--data', 'data.npz'], /no --target given/],
    [['compress', '--model', 'model.zip', '--data', 'data.npz', '--target', 'cpu-int8', '--hardware', 'tpu'], /--hardware: unknown class "tpu"/],
    [['compress', '--model', 'model.zip', '--data', 'data.npz', '--target', 'cpu-int8', '--budget', 'soon'], /--budget: cannot read budget "soon"/],
    [['compress', '--model', 'model.zip', '--data', 'data.npz', '--target', 'cpu-int8', '--budget', '1s'], /--budget: budget must be between 5 s/],
    [['compress', '--model', 'garbage.h5', '--data', 'data.npz', '--target', 'cpu-int8', '--data-dir', join(work, 'bad-run')], /garbage\.h5/],
    [['frobnicate'], /unknown command 'frobnicate'/],
  ];
  // Independent processes: run side by side.
  const results = await Promise.all(cases.map(([args]) => condense(args)));
  for (const [i, [args, message]] of cases.entries()) {
    const { code, stderr, stdout } = results[i]!;
    assert.equal(code, 1, `${args.join(' ')} exited ${code}\n${stderr}`);
    assert.match(stderr, message);
    assert.match(stderr.split('\n')[0]!, /^condense: error: /);
    noStackTrace(stderr + stdout);
  }
});

test('migrate applies every migration, --down reverts the last one, migrate re-applies it', async () => {
  const env = { CONDENSE_DATA_DIR: join(work, 'migrate-data'), DATABASE_URL: '' };
  const up = await condense(['migrate'], env);
  assert.equal(up.code, 0, up.stderr);
  // The last migration of the static list (several helpers add migrations in parallel).
  const last = Object.keys(migrations).sort().at(-1)!;
  assert.match(up.stdout, new RegExp(`migrations now applied: .*${last}`));
  const down = await condense(['migrate', '--down'], env);
  assert.equal(down.code, 0, down.stderr);
  assert.match(down.stdout, new RegExp(`^reverted ${last}$`, 'm'));
  const again = await condense(['migrate'], env);
  assert.match(again.stdout, new RegExp(`^applied ${last}$`, 'm'));
});

test('an unreachable database is one line with a hint', async () => {
  const { code, stderr } = await condense(['migrate'], { DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' });
  assert.equal(code, 1);
  assert.match(stderr, /^condense: error: cannot connect to PostgreSQL at postgres:\/\/nobody@127\.0\.0\.1:1\/none/);
  assert.match(stderr, /condense: hint: check DATABASE_URL/);
  noStackTrace(stderr);
});
