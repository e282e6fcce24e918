// `condense inspect` and `condense compress` with a .tflite file as the model (issue #14 item 3),
// as a user runs them (bin/condense.js in a child process): the pre-flight of the imported model,
// the dequantisation note for an int8 file, one error naming the ops a file uses that cannot be
// imported, and a whole local run from the float32 file writing a loadable candidate.
import { strict as assert } from 'node:assert';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { initEngine, tf } from '../../services/engine/backend/index.ts';
import { exportTflite } from '../../services/engine/export/index.ts';
import { importModel } from '../../services/engine/import/index.ts';
import { loadTfliteModel } from '../../services/engine/runtime/index.ts';
import { tinyData, tinyDatasetNpz, tinyModelZip } from '../runner/tiny-fixtures.ts';
import { condense, noStackTrace, work } from './cli-helpers.ts';

before(async () => {
  await initEngine();
  const keras = await importModel({ filename: 'tiny.zip', bytes: await tinyModelZip() });
  writeFileSync(join(work, 'model.tflite'), (await exportTflite(keras.model!, { quantization: 'float32' })).bytes);
  writeFileSync(join(work, 'model-int8.tflite'), (await exportTflite(keras.model!, { quantization: 'int8', representativeData: [tinyData(400).x] })).bytes);
  keras.model!.dispose();
  const input = tf.input({ shape: [6, 6, 2] });
  const up = tf.layers.upSampling2d({ size: [2, 2] }).apply(input) as tf.SymbolicTensor;
  const odd = tf.model({ inputs: input, outputs: tf.layers.dense({ units: 4, activation: 'softmax' }).apply(tf.layers.flatten().apply(up)) as tf.SymbolicTensor });
  writeFileSync(join(work, 'odd.tflite'), (await exportTflite(odd, { quantization: 'float32' })).bytes);
  writeFileSync(join(work, 'data.npz'), tinyDatasetNpz());
});
after(() => rmSync(work, { recursive: true, force: true }));

test('inspect takes a .tflite model; an int8 one carries the teacher note; unknown ops are named', async () => {
  const good = await condense(['inspect', '--model', 'model.tflite', '--target', 'cpu-int8']);
  assert.equal(good.code, 0, good.stderr);
  assert.match(good.stdout, /^ {2}cpu-int8\s+exportable as int8/m);
  const int8 = await condense(['inspect', '--model', 'model-int8.tflite', '--target', 'cpu-int8']);
  assert.equal(int8.code, 0, int8.stderr);
  assert.match(int8.stdout, /note: model-int8\.tflite stores its weights quantized \(INT8\): they were dequantised to float32.*distillation teacher \(inference only\)/);
  const odd = await condense(['inspect', '--model', 'odd.tflite']);
  assert.equal(odd.code, 1);
  noStackTrace(odd.stderr + odd.stdout);
  assert.match(odd.stderr, /odd\.tflite uses TFLite op RESIZE_NEAREST_NEIGHBOR, which Condense cannot turn into trainable layers/);
});

test('compress runs a whole local compression from a float32 .tflite file', async () => {
  const out = join(work, 'out');
  const { code, stdout, stderr } = await condense([
    'compress', '--model', 'model.tflite', '--data', 'data.npz', '--target', 'cpu-int8',
    '--technique', 'pruning={"targetSparsity":0.5,"epochs":1,"samplesPerEpoch":128}', '--out', out, '--eval-samples', '200',
  ], { CONDENSE_BACKEND: 'wasm' });
  assert.equal(code, 0, stderr);
  noStackTrace(stderr + stdout);
  assert.match(stdout, /^\*\s+cpu-int8:pruning\+int8\s+cpu-int8\s+int8\s+\d+\.\d\d%/m);
  const file = join(out, 'cpu-int8_pruning_int8.tflite');
  assert.ok(existsSync(file));
  const model = await loadTfliteModel(new Uint8Array(readFileSync(file)));
  assert.deepEqual(model.inputs[0]!.shape.slice(-1), [16]);
  model.dispose();
});
