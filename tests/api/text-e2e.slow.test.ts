// Issue #13's "done when", through the API with the real embedded runner: upload a user's text
// model (Embedding → pooling → Dense(1, sigmoid)) zipped with its Keras tokenizer.json and a JSONL
// dataset over HTTP, run (a ProjectionNet trained beside the user's model; the user's model
// quantized int8), download each candidate through its signed URL, featurise held-out strings with
// the reference featuriser reading the front end out of the downloaded file alone, run the file in
// TFLite (wasm) — and in Arm NN the projection whose front end hashes and the user's model exported
// for a target without GATHER (its bag-of-ids form: FULLY_CONNECTED over id fractions); Arm NN has
// no LSH_PROJECTION, GATHER or CAST and refuses the other two files — and get the accuracy and AUC
// the API reported.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ApiServer } from '../../services/api/server.ts';
import { initEngine } from '../../services/engine/backend/index.ts';
import { openDataset } from '../../services/engine/data/index.ts';
import { ClassificationAccumulator } from '../../services/engine/evaluate/index.ts';
import { armNnUnavailableReason, loadTfliteModel, runArmNn } from '../../services/engine/runtime/index.ts';
import { featurizeWithFrontEnd, frontEndInputShape, textFrontEndOfTflite } from '../../services/engine/text/index.ts';
import { mails, textModelZip, WORDS } from '../helpers/text-fixtures.ts';
import { startApiWithRunner, type ApiWithRunner } from '../helpers/api-with-runner.ts';
import { CREATE_PROJECT, START_RUN, collect, ok, upload, wsClient } from './harness.ts';

const EVAL = 80;

describe('text end to end through the API', { timeout: 900_000 }, () => {
  let stack: ApiWithRunner;
  let server: ApiServer;
  let key: string;
  before(async () => {
    stack = await startApiWithRunner({ tag: 'text-e2e', backend: 'wasm', sizes: { latencyRuns: 2, calibrationSamples: 64, evalSamples: EVAL }, org: { name: 'Text', slug: 'text', ownerEmail: 't@text.test', ownerName: 'T' } });
    ({ server, key } = stack);
  });
  after(async () => {
    await stack?.close();
  });

  it('uploads a text model + tokenizer + JSONL, runs, and the downloaded files score what the API reports', async () => {
    await initEngine('wasm');
    const data = mails(500, 23);
    const project = (await ok(server, key, CREATE_PROJECT, { input: { name: 'spam' } })).createProject.project;
    const model = await upload(server, key, 'MODEL', 'spam-model.zip', await textModelZip(data, { epochs: 6 }));
    const version = (await ok(server, key, `mutation($input: CompleteModelUploadInput!) { completeModelUpload(input: $input) { modelVersion { id } userErrors { message } } }`, {
      input: { uploadId: model.uploadId, projectId: project.id, modelName: 'spam' },
    })).completeModelUpload;
    const dataset = await upload(server, key, 'DATASET', 'mail.jsonl', data);
    const ds = (await ok(server, key, `mutation($input: CompleteDatasetUploadInput!) { completeDatasetUpload(input: $input) { dataset { id } userErrors { message } } }`, {
      input: { uploadId: dataset.uploadId, projectId: project.id, name: 'mail' },
    })).completeDatasetUpload;
    assert.deepEqual([version.userErrors, ds.userErrors], [[], []]);

    const projection = { epochs: 6, learningRate: 0.01, numHash: 32, numBits: 8, hiddenUnits: 16, maxFeatures: 32, wordNgrams: [1], charNgrams: [] };
    const chains = [
      { target: 'cpu-int8', techniques: [{ plugin: 'projection', config: projection }] },
      // The Arm NN-runnable form: the front end computes the projection bits.
      { target: 'cpu-int8', techniques: [{ plugin: 'projection', config: { ...projection, hashing: 'front-end' } }] },
      { target: 'cpu-int8', techniques: [{ plugin: 'quantization', config: { modes: ['int8'] } }] },
      // The user's model for a target without GATHER (Edge TPU): its bag-of-ids form, which Arm NN runs too.
      { target: 'edgetpu-int8', techniques: [{ plugin: 'quantization', config: { modes: ['int8'] } }] },
    ];
    for (const { target, techniques } of chains) {
      const started = (await ok(server, key, START_RUN, { input: { modelVersionId: version.modelVersion.id, datasetId: ds.dataset.id, targets: [target], techniques } })).startRun;
      assert.deepEqual(started.userErrors, []);
      const events = await collect(wsClient(server, key), 'subscription($r: ID!) { runEvents(runId: $r) { type } }', { r: started.run.id }).done;
      assert.equal(events.at(-1).data.runEvents.type, 'RUN_SUCCEEDED', JSON.stringify(events.map((e) => e.data.runEvents.type)));
      const run = (await ok(server, key, `query($id: ID!) { node(id: $id) { ... on CompressionRun { candidates { edges { node {
        key status metrics { accuracy auc bytes } downloads { tflite } } } } } } }`, { id: started.run.id })).node;
      const candidate = run.candidates.edges[0].node;
      assert.equal(candidate.status, 'SUCCEEDED', candidate.key);
      const file = new Uint8Array(await (await fetch(candidate.downloads.tflite)).arrayBuffer());
      assert.equal(file.length, candidate.metrics.bytes);

      // The app's side: the file alone gives the front end; held-out strings → model input → TFLite.
      const frontEnd = textFrontEndOfTflite(file);
      assert.equal(frontEnd.kind, techniques[0].plugin === 'projection' ? 'ngram-lsh' : 'keras-tokenizer');
      // The bag-of-ids form: the file reads the bag of the Embedding's WORDS rows (masked pooling: fractions).
      const bagForm = frontEnd.kind === 'keras-tokenizer' && frontEnd.bag !== undefined;
      assert.equal(bagForm, target === 'edgetpu-int8');
      if (bagForm) assert.deepEqual(frontEnd.bag, { rows: WORDS, weighting: 'fraction' });
      const heldOut = await openDataset({ bytes: data, filename: 'mail.jsonl' }, { seed: 1 });
      const tflite = await loadTfliteModel(file);
      const acc = new ClassificationAccumulator(2, 1);
      const texts: string[] = [];
      const labels: number[] = [];
      try {
        for await (const batch of heldOut.batches('test', 64, { limit: EVAL })) {
          texts.push(...batch.texts!);
          labels.push(...batch.y);
          acc.add(tflite.predict(featurizeWithFrontEnd(frontEnd, batch.texts!), [batch.size, ...frontEndInputShape(frontEnd)]), batch.y);
        }
      } finally {
        tflite.dispose();
      }
      const measured = acc.result();
      assert.ok(candidate.metrics.accuracy > 0.8, `${candidate.key}: accuracy ${candidate.metrics.accuracy}`);
      assert.equal(measured.accuracy, candidate.metrics.accuracy, `${candidate.key}: the downloaded file scores what the API reported`);
      assert.equal(measured.auc, candidate.metrics.auc, `${candidate.key}: AUC as reported`);
      // Arm NN 20.08 has no LSH_PROJECTION, GATHER or CAST (tests/engine/armnn-text-ops.test.ts): it refuses
      // those files; the projection whose front end hashes and the bag-of-ids form are dense layers
      // only and score as reported.
      if (!armNnUnavailableReason()) {
        const input = featurizeWithFrontEnd(frontEnd, texts);
        if ((frontEnd.kind === 'ngram-lsh' && frontEnd.inFrontEnd) || bagForm) {
          const arm = await runArmNn(file, input, [texts.length, ...frontEndInputShape(frontEnd)]);
          const armAcc = new ClassificationAccumulator(2, 1);
          armAcc.add(arm.output, Int32Array.from(labels));
          assert.equal(armAcc.result().accuracy, candidate.metrics.accuracy, `${candidate.key}: Arm NN scores what the API reported`);
        } else {
          await assert.rejects(runArmNn(file, input.slice(0, input.length / texts.length), [1, ...frontEndInputShape(frontEnd)]), /not supported/i);
        }
      }
    }
  });
});
