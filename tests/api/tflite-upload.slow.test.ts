// A .tflite file uploaded through the API (issue #14 item 3): the inspection child imports it,
// the model version records format `tflite` with its pre-flight (and, for an int8 file, the
// dequantisation note), a run starts from it; a file with ops that cannot become layers is
// refused at completeModelUpload with INVALID_MODEL naming them, and no version is registered.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { initEngine, tf } from '../../services/engine/backend/index.ts';
import { exportTflite } from '../../services/engine/export/index.ts';
import { CREATE_PROJECT, START_RUN, ok, seedCsvDataset, startHarness, upload, type Harness } from './harness.ts';

const COMPLETE_MODEL = `mutation($input: CompleteModelUploadInput!) { completeModelUpload(input: $input) {
  modelVersion { id format parameterCount signature { inputs { shape } outputs { shape } } preflight { exportable notes targets { target exportable } } }
  userErrors { code message } } }`;

async function tflite(build: () => tf.LayersModel, quantization: 'float32' | 'int8'): Promise<Uint8Array> {
  await initEngine();
  const model = build();
  const { bytes } = await exportTflite(model, { quantization, representativeData: [tf.tidy(() => tf.randomUniform([32, 4]).dataSync() as Float32Array)] });
  model.dispose();
  return bytes;
}
const mlp = () => tf.sequential({ layers: [
  tf.layers.dense({ inputShape: [4], units: 8, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }),
  tf.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
] });

describe('a .tflite model upload', () => {
  let h: Harness;
  let key: string;
  let projectId: string;
  let datasetId: string;
  const complete = async (name: string, bytes: Uint8Array) => {
    const file = await upload(h.server, key, 'MODEL', `${name}.tflite`, bytes);
    return (await ok(h.server, key, COMPLETE_MODEL, { input: { uploadId: file.uploadId, projectId, modelName: name } })).completeModelUpload;
  };

  before(async () => {
    h = await startHarness();
    key = h.a.ownerKey;
    projectId = (await ok(h.server, key, CREATE_PROJECT, { input: { name: 'tflite' } })).createProject.project.id;
    datasetId = await seedCsvDataset(h.server, key, projectId);
  });
  after(async () => {
    await h?.close();
  });

  it('float32: a version of format tflite with its pre-flight; a run starts from it', async () => {
    const done = await complete('mlp', await tflite(mlp, 'float32'));
    assert.deepEqual(done.userErrors, []);
    const version = done.modelVersion;
    assert.equal(version.format, 'tflite');
    assert.equal(version.parameterCount, 4 * 8 + 8 + 8 * 3 + 3);
    assert.deepEqual(version.signature.inputs[0].shape, [null, 4]);
    assert.equal(version.preflight.exportable, true);
    assert.ok(version.preflight.targets.find((t: { target: string }) => t.target === 'cpu-int8').exportable);
    const started = (await ok(h.server, key, START_RUN, { input: { modelVersionId: version.id, datasetId, targets: ['cpu-int8'] } })).startRun;
    assert.deepEqual(started.userErrors, []);
    assert.ok(started.run.id);
  });

  it('int8: accepted with the note that its weights were dequantised (a distillation teacher)', async () => {
    const done = await complete('mlp-int8', await tflite(mlp, 'int8'));
    assert.deepEqual(done.userErrors, []);
    assert.equal(done.modelVersion.format, 'tflite');
    assert.match(done.modelVersion.preflight.notes.join(' '), /dequantised to float32.*distillation teacher \(inference only\)/);
  });

  it('a file with ops that cannot become layers: INVALID_MODEL naming them, no version', async () => {
    const odd = () => {
      const input = tf.input({ shape: [4, 4, 1] });
      const up = tf.layers.upSampling2d({ size: [2, 2] }).apply(input) as tf.SymbolicTensor;
      return tf.model({ inputs: input, outputs: tf.layers.dense({ units: 3, activation: 'softmax' }).apply(tf.layers.flatten().apply(up)) as tf.SymbolicTensor });
    };
    await initEngine();
    const model = odd();
    const { bytes } = await exportTflite(model, { quantization: 'float32' });
    model.dispose();
    const done = await complete('odd', bytes);
    assert.equal(done.modelVersion, null);
    assert.equal(done.userErrors[0].code, 'INVALID_MODEL');
    assert.match(done.userErrors[0].message, /uses TFLite op RESIZE_NEAREST_NEIGHBOR, which Condense cannot turn into trainable layers/);
  });
});
