// `condense inspect` and the pre-flight in `condense compress` (issue #14 item 2), as a user runs
// them (bin/condense.js in a child process): per target whether the model exports and which layer
// blocks it, and compress refusing an unexportable model before it creates anything.
import { strict as assert } from 'node:assert';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { initEngine, tf } from '../../services/engine/backend/index.ts';
import { exportTfjsLayersZip } from '../../services/engine/export/index.ts';
import { tinyDatasetNpz, tinyModelZip } from '../runner/tiny-fixtures.ts';
import { condense, noStackTrace, work } from './cli-helpers.ts';

before(async () => {
  writeFileSync(join(work, 'model.zip'), await tinyModelZip());
  writeFileSync(join(work, 'data.npz'), tinyDatasetNpz());
});
after(() => rmSync(work, { recursive: true, force: true }));

test('inspect prints the pre-flight per target; compress prints it and refuses an unexportable model before running', async () => {
  await initEngine('cpu');
  const blocked = tf.sequential({ layers: [
    tf.layers.dense({ inputShape: [16], units: 8, name: 'hidden' }),
    tf.layers.reLU({ maxValue: 3, name: 'clip3' }),
    tf.layers.dense({ units: 4, activation: 'softmax', name: 'head' }),
  ] });
  writeFileSync(join(work, 'blocked.zip'), await exportTfjsLayersZip(blocked));
  blocked.dispose();

  const good = await condense(['inspect', '--model', 'model.zip']);
  assert.equal(good.code, 0, good.stderr);
  assert.match(good.stdout, /^pre-flight: \d+ parameters, [\d.]+ k? ?MACs, peak activation memory/m);
  for (const id of ['cpu-fp32', 'cpu-int8', 'mcu-int8']) assert.match(good.stdout, new RegExp(`^  ${id}\\s+exportable as (float32|int8)`, 'm'));
  const json = JSON.parse((await condense(['inspect', '--model', 'model.zip', '--target', 'cpu-int8', '--json'])).stdout);
  assert.deepEqual(json.targets.map((t: { target: string }) => t.target), ['cpu-int8']);
  assert.equal(json.targets[0].exportable, true);

  const bad = await condense(['inspect', '--model', 'blocked.zip', '--target', 'cpu-int8']);
  assert.equal(bad.code, 0, bad.stderr);
  assert.match(bad.stdout, /blocks every target: layer 'clip3' \(ReLU\): .*maxValue 3 is not supported/);
  assert.match(bad.stdout, /^ {2}cpu-int8\s+NOT exportable/m);

  const refused = await condense(['compress', '--model', 'blocked.zip', '--data', 'data.npz', '--target', 'cpu-int8', '--data-dir', join(work, 'refused-run')]);
  assert.equal(refused.code, 1);
  noStackTrace(refused.stderr + refused.stdout);
  assert.match(refused.stderr, /blocks every target: layer 'clip3'/);
  assert.match(refused.stderr, /condense: error: the model cannot be exported to TFLite: .*clip3/);
  assert.ok(!existsSync(join(work, 'refused-run')), 'refused before creating the run\'s data directory');
});

