// services/engine/train/data-parallel.ts: the slices workers own and the shared-memory barrier.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { barrier, shard } from '../../services/engine/train/data-parallel.ts';

test('shard: the slices cover every row once, in near-equal contiguous parts', () => {
  for (const [size, workers] of [[64, 2], [52, 2], [7, 3], [1, 2], [225_546, 2]] as const) {
    const parts = Array.from({ length: workers }, (_, r) => shard(size, r, workers));
    assert.equal(parts[0]![0], 0);
    assert.equal(parts.at(-1)![1], size);
    parts.slice(1).forEach(([from], r) => assert.equal(from, parts[r]![1]));
    const lengths = parts.map(([a, b]) => b - a);
    assert.ok(Math.max(...lengths) - Math.min(...lengths) <= 1, `${size} over ${workers}: ${lengths}`);
  }
});

test('barrier: nobody passes before everyone arrived, over many generations', async () => {
  const parties = 3;
  const rounds = 50;
  const state = new SharedArrayBuffer(8);
  // counts[r] = how many rounds party r has finished; after each barrier every party checks that
  // no one is behind it — which fails unless the barrier holds everyone until the last arrives.
  const counts = new SharedArrayBuffer(4 * parties);
  const source = `
    const { workerData, parentPort } = require('node:worker_threads');
    const { rank, parties, rounds, state, counts } = workerData;
    const s = new Int32Array(state), c = new Int32Array(counts);
    ${barrier.toString()}
    let behind = 0;
    for (let round = 1; round <= rounds; round++) {
      Atomics.store(c, rank, round);
      barrier(s, parties, 10000);
      for (let r = 0; r < parties; r++) if (Atomics.load(c, r) < round) behind++;
      barrier(s, parties, 10000);
    }
    parentPort.postMessage(behind);`;
  const results = await Promise.all(Array.from({ length: parties }, (_, rank) => new Promise<number>((resolve, reject) => {
    const worker = new Worker(source, { eval: true, workerData: { rank, parties, rounds, state, counts } });
    worker.once('message', resolve);
    worker.once('error', reject);
  })));
  assert.deepEqual(results, [0, 0, 0]);
});

test('barrier: a party left alone gives up after the timeout instead of hanging', () => {
  const state = new Int32Array(new SharedArrayBuffer(8));
  assert.throws(() => barrier(state, 2, 50), /another worker stopped answering/);
});
