// Issue #14 item 2 through the API: a model version's pre-flight (made at upload, in the
// inspection child) says per target whether it exports and which layer blocks it, and startRun
// refuses with NOT_EXPORTABLE — naming the layer — a run that could not produce anything, instead
// of failing at its baseline step. A target-specific blocker (a layer without an int8 kernel on a
// target with no float tensors) refuses that target only, unless the run may change the
// architecture (distillation students are built from supported layers).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { zipSync } from 'fflate';
import * as tf from '@tensorflow/tfjs';
import { CREATE_PROJECT, START_RUN, ok, seedCsvDataset, startHarness, upload, type Harness } from './harness.ts';

async function layersZip(build: () => tf.LayersModel): Promise<Uint8Array> {
  if (tf.getBackend() !== 'cpu') await tf.setBackend('cpu');
  const model = build();
  let files: Record<string, Uint8Array> = {};
  await model.save(tf.io.withSaveHandler(async (artifacts) => {
    const weightsManifest = [{ paths: ['weights.bin'], weights: artifacts.weightSpecs! }];
    const json = { modelTopology: artifacts.modelTopology, format: 'layers-model', generatedBy: 'test', convertedBy: null, weightsManifest };
    files = { 'model.json': new TextEncoder().encode(JSON.stringify(json)), 'weights.bin': new Uint8Array(artifacts.weightData as ArrayBuffer) };
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  model.dispose();
  return zipSync(files);
}

const COMPLETE_MODEL = `mutation($input: CompleteModelUploadInput!) { completeModelUpload(input: $input) {
  modelVersion { id preflight { exportable parameterCount macs blockers { layer className reason } targets { target exportable blockers { layer reason } } } }
  userErrors { code message } } }`;

describe('pre-flight at upload and NOT_EXPORTABLE at startRun', () => {
  let h: Harness;
  let key: string;
  let projectId: string;
  let datasetId: string;

  async function uploadModel(name: string, build: () => tf.LayersModel) {
    const file = await upload(h.server, key, 'MODEL', `${name}.zip`, await layersZip(build));
    const done = (await ok(h.server, key, COMPLETE_MODEL, { input: { uploadId: file.uploadId, projectId, modelName: name } })).completeModelUpload;
    assert.deepEqual(done.userErrors, []);
    return done.modelVersion;
  }
  const startRun = async (modelVersionId: string, targets: string[], techniques: unknown[] | undefined) =>
    (await ok(h.server, key, START_RUN, { input: { modelVersionId, datasetId, targets, ...(techniques ? { techniques } : {}) } })).startRun;

  before(async () => {
    h = await startHarness();
    key = h.a.ownerKey;
    projectId = (await ok(h.server, key, CREATE_PROJECT, { input: { name: 'preflight' } })).createProject.project.id;
    datasetId = await seedCsvDataset(h.server, key, projectId);
  });
  after(async () => {
    await h?.close();
  });

  it('a layer the exporter cannot write blocks every target: the version says so and startRun refuses naming it', async () => {
    const version = await uploadModel('relu3', () => tf.sequential({ layers: [
      tf.layers.dense({ inputShape: [4], units: 8, name: 'hidden' }),
      tf.layers.reLU({ maxValue: 3, name: 'clip3' }),
      tf.layers.dense({ units: 3, activation: 'softmax', name: 'head' }),
    ] }));
    const p = version.preflight;
    assert.equal(p.exportable, false);
    assert.ok(p.parameterCount > 0 && p.macs > 0);
    assert.equal(p.blockers[0].layer, 'clip3');
    assert.match(p.blockers[0].reason, /maxValue 3 is not supported/);
    assert.ok(p.targets.every((t: { exportable: boolean }) => !t.exportable));
    for (const techniques of [[{ plugin: 'quantization', config: {} }], undefined]) {
      const refused = await startRun(version.id, ['cpu-int8'], techniques);
      assert.equal(refused.run, null);
      assert.equal(refused.userErrors[0].code, 'NOT_EXPORTABLE');
      assert.deepEqual(refused.userErrors[0].field, ['input', 'modelVersionId']);
      assert.match(refused.userErrors[0].message, /cannot be exported to TFLite: .*clip3.*maxValue 3/);
    }
  });

  it('a layer with no int8 kernel blocks int8-only targets, unless the run may change the architecture', async () => {
    const version = await uploadModel('elu', () => tf.sequential({ layers: [
      tf.layers.dense({ inputShape: [4], units: 8, activation: 'elu', name: 'hidden_elu' }),
      tf.layers.dense({ units: 3, activation: 'softmax', name: 'head' }),
    ] }));
    const byTarget = new Map(version.preflight.targets.map((t: { target: string }) => [t.target, t]));
    assert.equal(version.preflight.exportable, true);
    assert.equal((byTarget.get('cpu-fp32') as { exportable: boolean }).exportable, true);
    const mcu = byTarget.get('mcu-int8') as { exportable: boolean; blockers: { layer: string; reason: string }[] };
    assert.equal(mcu.exportable, false);
    assert.ok(mcu.blockers.some((b) => b.layer === 'hidden_elu'), JSON.stringify(mcu.blockers));

    const refused = await startRun(version.id, ['mcu-int8'], [{ plugin: 'quantization', config: {} }]);
    assert.equal(refused.userErrors[0]?.code, 'NOT_EXPORTABLE');
    assert.match(refused.userErrors[0].message, /nothing can be produced for mcu-int8: .*hidden_elu/);
    // Distillation builds students from supported layers: not refused at start.
    const reshaping = await startRun(version.id, ['mcu-int8'], [{ plugin: 'distillation', config: {} }]);
    assert.ok(!reshaping.userErrors.some((e: { code: string }) => e.code === 'NOT_EXPORTABLE'), JSON.stringify(reshaping.userErrors));
  });
});
