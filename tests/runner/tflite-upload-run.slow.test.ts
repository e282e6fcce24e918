// A run whose uploaded model is a .tflite file (issue #14 item 3), through the path `condense
// compress` takes: createLocalRun inspects and stores it (model version format `tflite`), the
// embedded runner imports it into a trainable model, prunes and quantizes it, and the candidates
// it stores run in TFLite (wasm) and Arm NN with the accuracy the run measured. A quantized
// (int8) file is accepted as the teacher of a distillation run, with the note on its import.
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { loadConfig } from '../../services/config.ts';
import { withTenant } from '../../services/db/tenant.ts';
import { initEngine, tf } from '../../services/engine/backend/index.ts';
import { exportTflite } from '../../services/engine/export/index.ts';
import { importModel } from '../../services/engine/import/index.ts';
import { armNnUnavailableReason, loadTfliteModel, runArmNn } from '../../services/engine/runtime/index.ts';
import { EmbeddedRunner } from '../../services/runs/embedded-runner.ts';
import { createLocalRun } from '../../services/runs/local-run.ts';
import { openRunServices, type RunServices } from '../../services/runs/run-services.ts';
import { createTestDatabase } from '../helpers/database.ts';
import { tinyData, tinyDatasetNpz, tinyModelZip } from './tiny-fixtures.ts';

let services: RunServices;
let dataDir: string;
const files: Record<'float32' | 'int8', Uint8Array> = {} as never;

before(async () => {
  await initEngine();
  // The user's .tflite files: the tiny MLP written by our exporter, as TFLite's converter lays them out.
  const keras = await importModel({ filename: 'tiny.zip', bytes: await tinyModelZip() });
  const { x } = tinyData(400);
  files.float32 = (await exportTflite(keras.model!, { quantization: 'float32' })).bytes;
  files.int8 = (await exportTflite(keras.model!, { quantization: 'int8', representativeData: [x] })).bytes;
  keras.model!.dispose();
  dataDir = mkdtempSync(join(tmpdir(), 'condense-tflite-run-'));
  services = await openRunServices(loadConfig({ CONDENSE_DATA_DIR: dataDir, CONDENSE_BACKEND: 'wasm' }), {
    database: await createTestDatabase(),
    sizes: { latencyRuns: 3, calibrationSamples: 64, evalSamples: 200 },
  });
});
after(async () => {
  await services.database.close();
  rmSync(dataDir, { recursive: true, force: true });
});

async function run(model: Uint8Array, filename: string, techniques: { plugin: string; config: Record<string, unknown> }[]) {
  const { orgId, runId } = await createLocalRun(services.database.db, services.blobs, {
    model: { filename, bytes: model }, data: { filename: 'tiny.npz', bytes: tinyDatasetNpz() }, targets: ['cpu-int8'], techniques, constraints: {},
  });
  const runner = new EmbeddedRunner({ db: services.database.db, activities: services.activities, pollMs: 50 });
  runner.run();
  let result;
  try {
    await runner.start(orgId, runId);
    result = await runner.waitFor(runId, 300_000);
  } finally {
    await runner.stop();
  }
  assert.equal(result.status, 'succeeded', result.message);
  return withTenant(services.database.db, orgId, async (trx) => ({
    version: await trx.selectFrom('model_versions').select(['format', 'filename']).where('filename', '=', filename).executeTakeFirstOrThrow(),
    candidates: await trx.selectFrom('candidates').selectAll().where('run_id', '=', runId).orderBy('key').execute(),
  }));
}

test('a float32 .tflite upload is pruned and quantized; its candidate runs in TFLite and Arm NN', async () => {
  const { version, candidates } = await run(files.float32, 'tiny.tflite', [{ plugin: 'pruning', config: { targetSparsity: 0.5, epochs: 1, samplesPerEpoch: 128 } }]);
  assert.equal(version.format, 'tflite');
  assert.deepEqual(candidates.map((c) => c.key), ['cpu-int8:pruning+int8']);
  const [c] = candidates;
  assert.equal(c!.status, 'succeeded', c!.failure_message ?? '');
  assert.ok(c!.accuracy! > 0.8, `accuracy ${c!.accuracy}`);
  const tflite = await services.blobs.read(c!.tflite_sha256!);
  const { x, y } = tinyData(400);
  const runtime = await loadTfliteModel(tflite);
  const probs = runtime.predict(x, [400, 16]);
  runtime.dispose();
  const argmax = (p: ArrayLike<number>, i: number) => [0, 1, 2, 3].reduce((best, k) => (p[i * 4 + k] > p[i * 4 + best] ? k : best), 0);
  const acc = y.reduce((n, label, i) => n + (argmax(probs, i) === label ? 1 : 0), 0) / y.length;
  assert.ok(acc > 0.8, `TFLite accuracy ${acc}`);
  if (!armNnUnavailableReason()) {
    const arm = await runArmNn(tflite, x.subarray(0, 40 * 16), [40, 16]);
    for (let i = 0; i < 40; i++) assert.equal(argmax(arm.output, i), argmax(probs, i), `sample ${i}: Arm NN and TFLite disagree`);
  }
});

test('an int8 .tflite upload is the teacher of a distillation run', async () => {
  const { version, candidates } = await run(files.int8, 'tiny-int8.tflite', [{ plugin: 'distillation', config: { epochs: 30 } }]);
  assert.equal(version.format, 'tflite');
  assert.ok(candidates.length >= 1);
  for (const c of candidates) {
    assert.equal(c.status, 'succeeded', c.failure_message ?? '');
    assert.ok(c.accuracy! > 0.7, `${c.key}: accuracy ${c.accuracy}`);
    const runtime = await loadTfliteModel(await services.blobs.read(c.tflite_sha256!));
    runtime.dispose();
  }
  // The dequantised teacher is still the 16 → 32 → 4 MLP the int8 file holds.
  const imported = await importModel({ filename: 'tiny-int8.tflite', bytes: files.int8 });
  assert.equal(imported.teacherOnly, true);
  assert.equal(tf.util.sizeFromShape(imported.model!.inputs[0].shape.slice(1) as number[]), 16);
  imported.model!.dispose();
});
