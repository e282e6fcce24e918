// Item 2 of #12: hostile uploads are inspected in a bounded child process. Each bomb of the
// finding is uploaded and completed while a separate client process polls /healthz; every one
// ends as a one-line INVALID_* user error, nothing is registered, /healthz stays fast and the
// server's resident memory stays far below what the bombs expand to.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { gzipSync } from 'node:zlib';
import { after, before, test } from 'node:test';
import { withTenant } from '../../services/db/tenant.ts';
import { CREATE_PROJECT, ok, startHarness, upload, type Harness } from '../api/harness.ts';
import { deflatedZeros, memberOf, zipOf } from '../helpers/bombs.ts';
import { writeNpy } from '../helpers/fixtures-data.ts';
import { kerasInputLayer, kerasSequential, writeKerasZip } from '../helpers/fixtures-keras.ts';

const GIB = 1024 ** 3;
let h: Harness;
let projectId: string;

before(async () => {
  h = await startHarness();
  projectId = (await ok(h.server, h.a.ownerKey, CREATE_PROJECT, { input: { name: 'bombs' } })).createProject.project.id;
});
after(() => h?.close());

const denseConfig = kerasSequential('keras3', 'tiny', [kerasInputLayer('keras3', 'input', [null, 4]), { className: 'Dense', name: 'dense', config: { units: 3, activation: 'softmax', use_bias: true }, inputShape: [null, 4] }], [null, 4]);

/** The bombs of the finding, each under the 2 MB upload limit of the harness. */
function bombs(): { name: string; purpose: 'MODEL' | 'DATASET'; filename: string; bytes: Uint8Array; expect: RegExp }[] {
  const zeros = deflatedZeros(20); // 1.25 GiB of zeros in ~1.3 MB
  assert.ok(zeros.size > GIB);
  const y = writeNpy('|u1', [2], [0, 1]);
  return [
    { name: 'zip bomb', purpose: 'DATASET', filename: 'bomb.zip', expect: /expands beyond/,
      bytes: zipOf([{ name: 'train.csv', packed: zeros.packed, declaredSize: zeros.size, crc: zeros.crc }]) },
    { name: 'NPZ bomb', purpose: 'DATASET', filename: 'bomb.npz', expect: /expands beyond/,
      bytes: zipOf([{ name: 'x.npy', packed: zeros.packed, declaredSize: zeros.size, crc: zeros.crc }, memberOf('y.npy', y)]) },
    { name: 'zip whose directory lies about sizes', purpose: 'DATASET', filename: 'lying.npz', expect: /inflates to more than the 1000 bytes/,
      bytes: zipOf([{ name: 'x.npy', packed: zeros.packed, declaredSize: 1000, crc: 0 }, memberOf('y.npy', y)]) },
    { name: '10-million-column CSV header', purpose: 'DATASET', filename: 'wide.csv.gz', expect: /more than 100000 columns/,
      bytes: gzipSync(Buffer.from(`${'c,'.repeat(10_000_000)}label\n`)) },
    { name: 'NPZ with shape (2, 0, 1e15)', purpose: 'DATASET', filename: 'shape.npz', expect: /dimension 1000000000000000/,
      bytes: zipOf([memberOf('x.npy', writeNpy('<f4', [2, 0, 1e15], [])), memberOf('y.npy', y)]) },
    { name: '.keras whose weights inflate past the cap', purpose: 'MODEL', filename: 'huge.keras', expect: /expands beyond/,
      bytes: zipOf([memberOf('config.json', Buffer.from(JSON.stringify(denseConfig))), memberOf('metadata.json', Buffer.from('{"keras_version":"3.6.0"}')),
        { name: 'model.weights.h5', packed: zeros.packed, declaredSize: zeros.size, crc: zeros.crc }]) },
  ];
}

/** A client in its own process fetching /healthz back to back; returns the latencies (ms). */
function startPoller(url: string): { stop(): Promise<number[]> } {
  const code = `
    const latencies = [];
    let running = true;
    process.on('message', () => { running = false; });
    while (running) {
      const t = performance.now();
      const res = await fetch(process.argv[1]);
      await res.text();
      latencies.push(performance.now() - t);
      await new Promise((r) => setTimeout(r, 10));
    }
    process.send(latencies, () => process.exit(0));`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', code, `${url}/healthz`], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return {
    async stop() {
      const reply = once(child, 'message');
      child.send('stop');
      return (await reply)[0] as number[];
    },
  };
}

const p99 = (values: number[]) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * 0.99))]!;

test('every bomb is a clear user error, nothing is registered, /healthz stays fast and RSS bounded', async () => {
  const list = bombs();
  let peakRss = process.memoryUsage.rss();
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage.rss());
  }, 20);
  const poller = startPoller(h.server.url);
  try {
    for (const bomb of list) {
      assert.ok(bomb.bytes.length < 2_000_000, `${bomb.name} fits the upload limit (${bomb.bytes.length} bytes)`);
      const sent = await upload(h.server, h.a.ownerKey, bomb.purpose, bomb.filename, bomb.bytes);
      assert.equal(sent.put.status, 200, bomb.name);
      const result = bomb.purpose === 'MODEL'
        ? (await ok(h.server, h.a.ownerKey, `mutation($input: CompleteModelUploadInput!) { completeModelUpload(input: $input) { modelVersion { id } userErrors { code message } } }`,
            { input: { uploadId: sent.uploadId, projectId, modelName: 'bomb' } })).completeModelUpload
        : (await ok(h.server, h.a.ownerKey, `mutation($input: CompleteDatasetUploadInput!) { completeDatasetUpload(input: $input) { dataset { id } userErrors { code message } } }`,
            { input: { uploadId: sent.uploadId, projectId, name: 'bomb' } })).completeDatasetUpload;
      assert.equal(result.userErrors.length, 1, `${bomb.name}: ${JSON.stringify(result)}`);
      assert.equal(result.userErrors[0].code, bomb.purpose === 'MODEL' ? 'INVALID_MODEL' : 'INVALID_DATASET', bomb.name);
      assert.match(result.userErrors[0].message, bomb.expect, bomb.name);
      assert.doesNotMatch(result.userErrors[0].message, /\n|at .*\.ts:\d+/, `${bomb.name}: one line, no stack`);
    }
  } finally {
    clearInterval(sampler);
  }
  const latencies = await poller.stop();
  const registered = await withTenant(h.database.db, h.a.orgId, async (trx) => ({
    datasets: (await trx.selectFrom('datasets').select('id').execute()).length,
    versions: (await trx.selectFrom('model_versions').select('id').execute()).length,
  }));
  assert.deepEqual(registered, { datasets: 0, versions: 0 });
  console.log(`# /healthz: ${latencies.length} requests, p99 ${p99(latencies).toFixed(1)} ms, max ${Math.max(...latencies).toFixed(1)} ms; server peak RSS ${(peakRss / 1024 ** 2).toFixed(0)} MiB`);
  assert.ok(latencies.length >= 20, 'the poller ran throughout');
  assert.ok(p99(latencies) < 100, `p99 of /healthz ${p99(latencies).toFixed(1)} ms`);
  assert.ok(peakRss < GIB, `server RSS peaked at ${(peakRss / 1024 ** 2).toFixed(0)} MiB`);
});

test('a .keras whose weights do not fit its config is rejected at upload', async () => {
  const layers = [{ name: 'dense', weights: [{ name: 'kernel', shape: [5, 3], values: new Float32Array(15) }, { name: 'bias', shape: [3], values: new Float32Array(3) }] }];
  const sent = await upload(h.server, h.a.ownerKey, 'MODEL', 'wrong.keras', await writeKerasZip({ config: denseConfig, layers }));
  const result = (await ok(h.server, h.a.ownerKey, `mutation($input: CompleteModelUploadInput!) { completeModelUpload(input: $input) { modelVersion { id } userErrors { code message } } }`,
    { input: { uploadId: sent.uploadId, projectId, modelName: 'wrong' } })).completeModelUpload;
  assert.equal(result.modelVersion, null);
  assert.equal(result.userErrors[0]?.code, 'INVALID_MODEL', JSON.stringify(result));
  // The same config with weights of the right shapes is accepted.
  const good = [{ name: 'dense', weights: [{ name: 'kernel', shape: [4, 3], values: new Float32Array(12) }, { name: 'bias', shape: [3], values: new Float32Array(3) }] }];
  const sentGood = await upload(h.server, h.a.ownerKey, 'MODEL', 'right.keras', await writeKerasZip({ config: denseConfig, layers: good }));
  const accepted = (await ok(h.server, h.a.ownerKey, `mutation($input: CompleteModelUploadInput!) { completeModelUpload(input: $input) { modelVersion { id parameterCount } userErrors { code message } } }`,
    { input: { uploadId: sentGood.uploadId, projectId, modelName: 'right' } })).completeModelUpload;
  assert.deepEqual(accepted.userErrors, []);
  assert.equal(accepted.modelVersion.parameterCount, 15);
});
