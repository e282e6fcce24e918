// The API with the real embedded runner (services/runs) behind it: upload a tiny model and a CSV
// dataset over HTTP, start a run, follow it over graphql-ws until it ends, then read the candidate
// and download its .tflite through the signed URL.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ApiServer } from '../../services/api/server.ts';
import { startApiWithRunner, type ApiWithRunner } from '../helpers/api-with-runner.ts';
import { CREATE_PROJECT, START_RUN, collect, ok, tinyCsv, tinyModelZip, upload, wsClient } from './harness.ts';

describe('API + embedded runner', () => {
  let stack: ApiWithRunner;
  let server: ApiServer;
  let key: string;
  before(async () => {
    stack = await startApiWithRunner({ tag: 'api-e2e', backend: 'cpu', sizes: { latencyRuns: 3, calibrationSamples: 20 }, org: { name: 'E2E', slug: 'e2e', ownerEmail: 'e@e2e.test', ownerName: 'E' } });
    ({ server, key } = stack);
  });
  after(async () => {
    await stack?.close();
  });

  it('runs a compression end to end and serves the candidate', async () => {
    const project = (await ok(server, key, CREATE_PROJECT, { input: { name: 'e2e' } })).createProject.project;
    const model = await upload(server, key, 'MODEL', 'model.zip', await tinyModelZip());
    const version = (await ok(server, key, `mutation($input: CompleteModelUploadInput!) { completeModelUpload(input: $input) { modelVersion { id preflight { exportable parameterCount macs peakActivationBytes blockers { layer } targets { target exportable quantization blockers { layer reason } } } } userErrors { message } } }`, {
      input: { uploadId: model.uploadId, projectId: project.id, modelName: 'm' },
    })).completeModelUpload;
    const data = await upload(server, key, 'DATASET', 'data.csv', tinyCsv(300));
    const dataset = (await ok(server, key, `mutation($input: CompleteDatasetUploadInput!) { completeDatasetUpload(input: $input) { dataset { id } userErrors { message } } }`, {
      input: { uploadId: data.uploadId, projectId: project.id, name: 'd' },
    })).completeDatasetUpload;
    assert.deepEqual([version.userErrors, dataset.userErrors], [[], []]);

    // The upload's pre-flight is on the model version: exportable for every target, with its figures.
    const preflight = version.modelVersion.preflight;
    assert.equal(preflight.exportable, true);
    assert.ok(preflight.parameterCount > 0 && preflight.macs > 0 && preflight.peakActivationBytes > 0);
    assert.ok(preflight.targets.some((t: { target: string; exportable: boolean }) => t.target === 'cpu-fp32' && t.exportable));
    const started = (await ok(server, key, START_RUN, {
      input: { modelVersionId: version.modelVersion.id, datasetId: dataset.dataset.id, targets: ['cpu-fp32'], techniques: [{ plugin: 'quantization', config: {} }] },
    })).startRun;
    assert.deepEqual(started.userErrors, []);
    const events = await collect(wsClient(server, key), 'subscription($r: ID!) { runEvents(runId: $r) { sequence type phase } }', { r: started.run.id }).done;
    const types = events.map((e) => e.data.runEvents.type);
    assert.deepEqual(events.map((e) => e.data.runEvents.sequence), events.map((_, i) => i + 1));
    assert.equal(types[0], 'RUN_QUEUED');
    assert.equal(types.at(-1), 'RUN_SUCCEEDED', JSON.stringify(types));
    assert.ok(types.includes('CANDIDATE_FINISHED'));

    const run = (await ok(server, key, `query($id: ID!) { node(id: $id) { ... on CompressionRun { status candidates { edges { node {
      status pareto metrics { accuracy bytes downloadBytes } targetFit { target fits } downloads { tflite } } } } } } }`, { id: started.run.id })).node;
    assert.equal(run.status, 'SUCCEEDED');
    const candidate = run.candidates.edges[0].node;
    assert.equal(candidate.status, 'SUCCEEDED');
    assert.equal(candidate.targetFit.target, 'cpu-fp32');
    const response = await fetch(candidate.downloads.tflite, { headers: { 'accept-encoding': 'gzip' } });
    assert.equal(response.headers.get('content-encoding'), 'gzip');
    assert.equal(Number(response.headers.get('content-length')), candidate.metrics.downloadBytes, 'the gzip body is the size the candidate reports');
    const file = new Uint8Array(await response.arrayBuffer());
    assert.equal(file.length, candidate.metrics.bytes);
    assert.ok(candidate.metrics.downloadBytes > 0 && candidate.metrics.downloadBytes < candidate.metrics.bytes);
    assert.equal(new TextDecoder().decode(file.subarray(4, 8)), 'TFL3');
  });
});
