// NPY/NPZ, CSV, JSONL and image-folder datasets: values, labels, explicit splits, and errors
// for malformed or truncated files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatasetError, openDataset, type Batch, type Dataset, type Split } from '../../services/engine/data/index.ts';
import { writeJpeg, writeNpy, writeNpz, writePng, writeZip } from '../helpers/fixtures-data.ts';

async function all(dataset: Dataset, split: Split, batchSize = 7): Promise<Batch[]> {
  const out: Batch[] = [];
  for await (const batch of dataset.batches(split, batchSize)) out.push(batch);
  return out;
}

async function rejectsWith(promise: Promise<unknown>, pattern: RegExp): Promise<void> {
  await assert.rejects(promise, (error: Error) => {
    assert.ok(error instanceof DatasetError, `expected DatasetError, got ${error.name}: ${error.message}`);
    assert.match(error.message, pattern);
    assert.ok(!error.message.includes('\n'));
    return true;
  });
}

// ---- NPY / NPZ ----
test('NPY folder: x read lazily by offsets, uint8 scaled to [0,1], int64 labels', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'condense-npy-'));
  try {
    const n = 40;
    const x = Array.from({ length: n * 6 }, (_, k) => (k * 5) % 256);
    await writeFile(join(dir, 'x.npy'), writeNpy('|u1', [n, 2, 3], x));
    await writeFile(join(dir, 'y.npy'), writeNpy('<i8', [n], Array.from({ length: n }, (_, i) => i % 4)));
    const dataset = await openDataset({ path: dir }, { seed: 1, validationFraction: 0.25, testFraction: 0.25 });
    assert.equal(dataset.info.format, 'npy');
    assert.deepEqual(dataset.info.inputShape, [2, 3, 1]);
    assert.deepEqual(dataset.info.splits, { train: 20, validation: 10, test: 10 });
    const seen = new Set<number>();
    for (const split of ['train', 'validation', 'test'] as const) {
      for (const batch of await all(dataset, split)) {
        for (let k = 0; k < batch.size; k++) {
          // Recover the sample id from its label and first value, then check every value.
          const id = [...Array(n).keys()].find((i) => Math.abs(x[i * 6] / 255 - batch.x![k * 6]) < 1e-7 && i % 4 === batch.y[k] && !seen.has(i))!;
          assert.ok(id !== undefined);
          seen.add(id);
          for (let j = 0; j < 6; j++) assert.ok(Math.abs(batch.x![k * 6 + j] - x[id * 6 + j] / 255) < 1e-7);
        }
      }
    }
    assert.equal(seen.size, n);
  } finally {
    await rm(dir, { recursive: true });
  }
});

test('NPZ with Keras-style x_train/x_test keeps the test split; float, big-endian and one-hot inputs', async () => {
  const npz = writeNpz({
    x_train: writeNpy('<f4', [10, 2], Array.from({ length: 20 }, (_, i) => i / 4)),
    y_train: writeNpy('<i4', [10], [0, 1, 2, 0, 1, 2, 0, 1, 2, 0]),
    x_test: writeNpy('<f4', [4, 2], [9, 9, 8, 8, 7, 7, 6, 6]),
    y_test: writeNpy('<i4', [4], [2, 2, 1, 1]),
  });
  const dataset = await openDataset({ bytes: npz, filename: 'data.npz' }, { validationFraction: 0.2 });
  assert.equal(dataset.info.format, 'npz');
  assert.deepEqual(dataset.info.splits, { train: 8, validation: 2, test: 4 });
  const test = (await all(dataset, 'test')).flatMap((b) => Array.from(b.x!));
  assert.deepEqual(test, [9, 9, 8, 8, 7, 7, 6, 6]);
  assert.deepEqual((await all(dataset, 'test')).flatMap((b) => Array.from(b.y)), [2, 2, 1, 1]);

  const bigEndian = writeNpz({ x: writeNpy('>f4', [3, 1], [1.5, -2, 3]), y: writeNpy('<f8', [3, 3], [0, 1, 0, 1, 0, 0, 0, 0, 1]) });
  const be = await openDataset({ bytes: bigEndian, filename: 'be.npz' }, { validationFraction: 0, testFraction: 0 });
  const [batch] = await all(be, 'train');
  assert.deepEqual(Array.from(batch.x!), [1.5, -2, 3]);
  assert.deepEqual(Array.from(batch.y), [1, 0, 2]);
});

test('malformed NPY/NPZ files are errors', async () => {
  const y = writeNpy('<i4', [4], [0, 1, 0, 1]);
  const x = writeNpy('<f4', [4, 2], [1, 2, 3, 4, 5, 6, 7, 8]);
  await rejectsWith(openDataset({ bytes: writeNpz({ x: x.subarray(0, x.length - 4), y }), filename: 'd.npz' }), /d\.npz: x\.npy: truncated: header says 4 rows of shape \(4, 2\), file holds 3/);
  await rejectsWith(openDataset({ bytes: writeNpz({ x: writeNpy('<f4', [4, 2], new Array(8).fill(0), { fortranOrder: true }), y }), filename: 'd.npz' }), /Fortran-ordered/);
  await rejectsWith(openDataset({ bytes: writeNpz({ x, y: writeNpy('<i4', [3], [0, 1, 0]) }), filename: 'd.npz' }), /x has 4 rows but y has 3/);
  await rejectsWith(openDataset({ bytes: writeNpz({ x, y: writeNpy('<f4', [4], [0, 1.5, 0, 1]) }), filename: 'd.npz' }), /y\[1\] is 1\.5, not a non-negative integer class id/);
  await rejectsWith(openDataset({ bytes: writeNpz({ features: x, y }), filename: 'd.npz' }), /has y but no x array/);
  const npz = writeNpz({ x, y });
  await rejectsWith(openDataset({ bytes: npz.subarray(0, npz.length - 10), filename: 'cut.npz' }), /cut\.npz: corrupt or truncated zip archive/);
  await rejectsWith(openDataset({ bytes: x, filename: 'x.npy' }), /single array/);
});

test('zip entries expanding past the cap are refused before inflating', async () => {
  const big = writeZip({ 'x.npy': writeNpy('<f4', [50000, 4], new Array(200000).fill(0)), 'y.npy': writeNpy('<i4', [50000], new Array(50000).fill(0)) });
  assert.ok(big.length < 50000);
  await rejectsWith(openDataset({ bytes: big, filename: 'bomb.npz' }, { maxUncompressedBytes: 100000 }), /bomb\.npz: archive expands beyond the 100000-byte limit/);
});

// ---- CSV ----
test('CSV: header, numeric features, string labels, split column, quoted fields', async () => {
  const csv = [
    'sepal,"petal, width",label,split',
    '1,2,setosa,train', '1.5,2.5,versicolor,train', '2,3,setosa,train', '2.5,3.5,virginica,train',
    '3,4,setosa,validation', '"3.5",4.5,versicolor,test', '4,5,virginica,',
  ].join('\r\n') + '\r\n';
  const dataset = await openDataset({ bytes: new TextEncoder().encode(csv), filename: 'iris.csv' }, { validationFraction: 0, testFraction: 0 });
  assert.equal(dataset.info.format, 'csv');
  assert.deepEqual(dataset.info.inputShape, [2]);
  assert.deepEqual(dataset.info.labels, ['setosa', 'versicolor', 'virginica']);
  assert.deepEqual(dataset.info.splits, { train: 5, validation: 1, test: 1 });
  const [test] = await all(dataset, 'test');
  assert.deepEqual(Array.from(test.x!), [3.5, 4.5]);
  assert.deepEqual(Array.from(test.y), [1]);

  const custom = await openDataset({ bytes: new TextEncoder().encode('a,b,target\n1,2,0\n3,4,1\n5,6,1\n'), filename: 'c.csv' }, { labelColumn: 'target', validationFraction: 0, testFraction: 0 });
  assert.deepEqual(custom.info.labels, ['0', '1']);
  assert.deepEqual((await all(custom, 'train')).flatMap((b) => Array.from(b.x!)), [1, 2, 3, 4, 5, 6]);
});

test('malformed CSV files are errors naming the line', async () => {
  const open = (text: string, options = {}) => openDataset({ bytes: new TextEncoder().encode(text), filename: 'd.csv' }, options);
  await rejectsWith(open('a,b,label\n1,2,0\n3,x,1\n'), /d\.csv: line 3: column "b" is "x", not a number/);
  await rejectsWith(open('a,b,label\n1,2,0\n3,4\n'), /line 3: 2 fields, header has 3/);
  await rejectsWith(open('a,b,class\n1,2,0\n'), /no label column "label" \(columns: a, b, class\); set labelColumn/);
  await rejectsWith(open('1,2,3\n4,5,6\n', { labelColumn: '3' }), /header row required/);
  await rejectsWith(open('a,label\n1,"0\n'), /unterminated quoted field/);
  await rejectsWith(open('a,label\n1,0\n2,1.5\n'), /label 1\.5 is not an integer or a class name/);
  await rejectsWith(open('a,label,split\n1,0,holdout\n'), /split "holdout" is not train, validation or test/);
});

// ---- JSONL ----
test('JSONL text datasets stream texts with labels; malformed lines are errors', async () => {
  const lines = ['{"text":"free money now","label":"spam"}', '{"text":"meeting at 10","label":"ham"}', '{"text":"win a prize","label":"spam","split":"test"}', '', '{"text":"lunch?","label":"ham"}'];
  const dataset = await openDataset({ bytes: new TextEncoder().encode(lines.join('\n')), filename: 'mail.jsonl' }, { validationFraction: 0, testFraction: 0 });
  assert.equal(dataset.info.kind, 'text');
  assert.deepEqual(dataset.info.labels, ['ham', 'spam']);
  assert.deepEqual(dataset.info.splits, { train: 3, validation: 0, test: 1 });
  const [test] = await all(dataset, 'test');
  assert.deepEqual(test.texts, ['win a prize']);
  assert.deepEqual(Array.from(test.y), [1]);
  assert.equal(test.x, undefined);
  const truncated = lines.slice(0, 2).join('\n') + '\n{"text":"cut off';
  await rejectsWith(openDataset({ bytes: new TextEncoder().encode(truncated), filename: 'mail.jsonl' }), /mail\.jsonl: line 3: not valid JSON/);
  await rejectsWith(openDataset({ bytes: new TextEncoder().encode('{"text":1,"label":0}\n'), filename: 'm.jsonl' }), /line 1: "text" must be a string/);
  await rejectsWith(openDataset({ bytes: new TextEncoder().encode('{"text":"a"}\n'), filename: 'm.jsonl' }), /line 1: "label" must be a string or an integer/);
});

// ---- Image folders ----
test('image zip: class folders, PNG and JPEG, resized to the first image size, grayscale detected', async () => {
  const gray = (v: number) => (): [number, number, number] => [v, v, v];
  const zip = writeZip({
    'pets/cat/1.png': writePng(4, 4, gray(200)),
    'pets/cat/2.png': writePng(8, 8, gray(100)),
    'pets/dog/1.jpg': writeJpeg(4, 4, gray(40)),
    'pets/dog/2.png': writePng(4, 4, (x) => [x * 60, x * 60, x * 60]),
    '__MACOSX/pets/._1.png': new Uint8Array([0, 1, 2]),
  });
  const dataset = await openDataset({ bytes: zip, filename: 'pets.zip' }, { validationFraction: 0, testFraction: 0 });
  assert.equal(dataset.info.format, 'image-zip');
  assert.deepEqual(dataset.info.inputShape, [4, 4, 1]);
  assert.deepEqual(dataset.info.labels, ['cat', 'dog']);
  const [batch] = await all(dataset, 'train', 10);
  assert.deepEqual(Array.from(batch.y), [0, 0, 1, 1]);
  const sample = (k: number) => Array.from(batch.x!.subarray(k * 16, (k + 1) * 16));
  assert.ok(sample(0).every((v) => Math.abs(v - 200 / 255) < 1e-6));
  assert.ok(sample(1).every((v) => Math.abs(v - 100 / 255) < 1e-6), 'the 8x8 image was resized to 4x4');
  assert.ok(sample(2).every((v) => Math.abs(v - 40 / 255) < 3 / 255), 'JPEG decoded (lossy)');
  assert.deepEqual(sample(3).slice(0, 4).map((v) => Math.round(v * 255)), [0, 60, 120, 180]);

  const color = writeZip({ 'train/red/a.png': writePng(2, 2, () => [255, 0, 0]), 'train/blue/a.png': writePng(2, 2, () => [0, 0, 255]), 'test/red/b.png': writePng(2, 2, () => [250, 0, 0]) });
  const rgb = await openDataset({ bytes: color, filename: 'colors.zip' }, { imageSize: [3, 3], validationFraction: 0 });
  assert.deepEqual(rgb.info.inputShape, [3, 3, 3]);
  assert.deepEqual(rgb.info.splits, { train: 2, validation: 0, test: 1 });
  const [test] = await all(rgb, 'test');
  assert.deepEqual(Array.from(test.x!.subarray(0, 3)).map((v) => Math.round(v * 255)), [250, 0, 0]);
  assert.deepEqual(Array.from(test.y), [rgb.info.labels.indexOf('red')]);
});

test('broken image zips are errors', async () => {
  const png = writePng(2, 2, () => [1, 2, 3]);
  await rejectsWith(openDataset({ bytes: writeZip({ 'a/1.png': png, 'b/1.png': png.subarray(0, png.length - 20) }), filename: 'imgs.zip' }), /imgs\.zip: b\/1\.png: cannot decode image/);
  await rejectsWith(openDataset({ bytes: writeZip({ 'a/1.png': png, 'a/2.png': png }), filename: 'imgs.zip' }), /need at least 2/);
  await rejectsWith(openDataset({ bytes: writeZip({ '1.png': png, 'b/1.png': png }), filename: 'imgs.zip' }), /class folders/);
});
