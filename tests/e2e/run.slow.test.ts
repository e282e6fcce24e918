// End to end, as a user would drive it: an in-process API with the embedded runner over a fresh
// embedded database; an organization created with the operator token; a teacher trained here
// and uploaded with the digits through signed URLs; a run for three targets followed over the
// runEvents subscription (graphql-ws); publish, app-key download (200, then 304), and the
// downloaded .tflite re-measured in the TFLite runtime against the accuracy the API reported.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { CondenseClient } from '../../services/demo/client.ts';
import {
  bestCandidate, createAppKey, createOrganization, createProject, fetchChannelModel, followRun, publish, runCandidates, startRun, uploadDataset, uploadModel,
  type RunEventView,
} from '../../services/demo/flow.ts';
import { mnistNpz } from '../../services/demo/mnist-upload.ts';
import { startDemoStack, type DemoStack } from '../../services/demo/stack.ts';
import { trainTeacher } from '../../services/demo/teacher.ts';
import { openDataset } from '../../services/engine/data/index.ts';
import { readTfliteMetadata } from '../../services/engine/export/index.ts';
import { loadTfliteModel } from '../../services/engine/runtime/index.ts';

const TARGETS = ['cpu-int8', 'mcu-int8', 'gpu-fp16'];
let stack: DemoStack;
let dataDir: string;

before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'condense-e2e-'));
  const lines: string[] = [];
  stack = await startDemoStack({
    dataDir,
    // Small: plugins see at most 256 samples per split; every test digit is measured.
    sizes: { maxPluginSamples: 256, latencyRuns: 2, calibrationSamples: 64 },
    log: (line) => (process.env.E2E_LOG ? console.error(line) : lines.push(line)),
  });
});

after(async () => {
  await stack?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

test('upload, compress for three targets, follow, publish, download and re-measure', async () => {
  const operator = new CondenseClient(stack.server, stack.adminToken);
  const org = await createOrganization(operator, { name: 'E2E', slug: 'e2e-org', ownerEmail: 'owner@e2e.test', ownerName: 'Owner' });
  const client = org.client;
  const projectId = await createProject(client, 'digits');

  const data = await mnistNpz({ samples: 1200, testFraction: 0.2, seed: 3 });
  const local = await openDataset({ bytes: data.bytes, filename: data.filename }, { seed: 1 });
  const teacher = await trainTeacher(data, { epochs: 1, seed: 3, workers: 2 });
  assert.ok(teacher.testAccuracy > 0.6, `teacher accuracy ${teacher.testAccuracy}`);

  const model = await uploadModel(client, projectId, 'teacher.zip', teacher.zip);
  assert.equal(model.parameterCount, teacher.parameterCount);
  const dataset = await uploadDataset(client, projectId, data.filename, data.bytes);
  assert.equal(dataset.sampleCount, 1200);
  assert.equal(dataset.splits.find((s) => s.split === 'test')?.count, data.test);

  const runId = await startRun(client, { modelVersionId: model.id, datasetId: dataset.id, targets: TARGETS });
  const events = await followRun(client, runId);

  // In order, without gaps, from the queued run to its success; each candidate starts before it finishes.
  assert.deepEqual(events.map((e) => e.sequence), events.map((_, i) => i + 1));
  assert.equal(events[0]!.type, 'RUN_QUEUED');
  assert.equal(events.at(-1)!.type, 'RUN_SUCCEEDED', `run ended with ${events.at(-1)!.type}: ${events.at(-1)!.message}`);
  assert.equal(events.filter((e) => ['RUN_SUCCEEDED', 'RUN_FAILED', 'RUN_CANCELLED'].includes(e.type)).length, 1);
  const phases = events.filter((e) => e.type === 'PHASE_CHANGED').map((e) => e.phase);
  assert.ok(phases.indexOf('baseline') < phases.indexOf('candidates'), `phases ${phases.join(',')}`);
  const started = new Map<string, number>();
  const finished = new Map<string, number>();
  for (const e of events) {
    if (e.type === 'CANDIDATE_STARTED') started.set(e.candidateKey!, e.sequence);
    if (e.type === 'CANDIDATE_FINISHED') {
      assert.ok(started.has(e.candidateKey!), `${e.candidateKey} finished before it started`);
      finished.set(e.candidateKey!, e.sequence);
    }
  }
  assert.deepEqual([...finished.keys()].sort(), [...started.keys()].sort());

  // Reconnecting after a cursor replays exactly the rest.
  const middle = events[Math.floor(events.length / 2)]!;
  const rest: RunEventView[] = [];
  await client.followRun<RunEventView>(
    `subscription($runId: ID!, $after: String) { runEvents(runId: $runId, after: $after) { sequence type } }`,
    { runId, after: middle.cursor },
    (e) => rest.push(e),
  ).done;
  assert.deepEqual(rest.map((e) => e.sequence), events.slice(middle.sequence).map((e) => e.sequence));

  const run = await runCandidates(client, runId);
  assert.equal(run.status, 'SUCCEEDED');
  assert.equal(run.candidates.length, started.size);
  for (const target of TARGETS) assert.ok(run.candidates.some((c) => c.targetFit.target === target && c.status === 'SUCCEEDED'), `no candidate for ${target}`);
  assert.ok(run.candidates.some((c) => c.pareto));

  const best = bestCandidate(run.candidates, 'cpu-int8');
  assert.ok(best, 'a cpu-int8 candidate fits');
  await publish(client, best.id, 'production');
  const appKey = await createAppKey(client, projectId, 'e2e app');
  const download = await fetchChannelModel(stack.server.url, projectId, 'production', appKey);
  assert.equal(download.status, 200);
  const sha = createHash('sha256').update(download.bytes).digest('hex');
  assert.equal(download.etag, `"${sha}"`);
  assert.equal(download.bytes.length, best.metrics.bytes);
  // The file carries the standard TFLite metadata: labels, input normalisation, output kind.
  const meta = readTfliteMetadata(download.bytes);
  assert.ok(meta, 'TFLITE_METADATA present');
  assert.match(meta.version, /^v1\+/);
  assert.deepEqual(meta.output.labels, local.info.labels);
  assert.equal(meta.output.kind, 'probabilities');
  assert.deepEqual(meta.input.normalization, local.info.inputScale === 1 ? null : { mean: [0], std: [1 / local.info.inputScale] });
  const again = await fetchChannelModel(stack.server.url, projectId, 'production', appKey, download.etag!);
  assert.equal(again.status, 304);
  assert.equal(again.bytes.length, 0);
  const wrongKey = await fetch(`${stack.server.url}/v1/projects/${projectId}/channels/production/model`, { headers: { authorization: 'Bearer nope' } });
  assert.equal(wrongKey.status, 401);

  // The downloaded file runs in TFLite's own interpreter and scores what the API reported, on the same test split.
  const tflite = await loadTfliteModel(download.bytes);
  let correct = 0;
  let count = 0;
  try {
    for await (const batch of local.batches('test', 100)) {
      const probs = tflite.predict(batch.x!, [batch.size, ...local.info.inputShape]);
      const classes = probs.length / batch.size;
      for (let i = 0; i < batch.size; i++) {
        let arg = 0;
        for (let k = 1; k < classes; k++) if (probs[i * classes + k]! > probs[i * classes + arg]!) arg = k;
        if (arg === batch.y[i]) correct++;
        count++;
      }
    }
  } finally {
    tflite.dispose();
    await local.close();
  }
  assert.equal(count, data.test);
  assert.ok(Math.abs(correct / count - best.metrics.accuracy!) < 1e-6, `TFLite runtime ${correct / count} vs API ${best.metrics.accuracy}`);
});
