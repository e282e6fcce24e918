// IDX datasets: parsing, pairing train/t10k files, explicit test split, seeded validation split,
// gzip/zip/tar/folder inputs, and truncated or inconsistent files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { DatasetError, openDataset, parseIdx, readIdx, type Batch, type Dataset } from '../../services/engine/data/index.ts';
import { writeIdx, writeTar, writeZip } from '../helpers/fixtures-data.ts';

const H = 4;
const W = 3;
/** Pixel value of sample i at position p: unique enough to identify samples. */
const pixel = (i: number, p: number) => (i * 7 + p * 13) % 256;

function mnistLike(trainCount: number, testCount: number, gzip: boolean): Record<string, Uint8Array> {
  const images = (n: number, offset: number) => writeIdx('uint8', [n, H, W], Array.from({ length: n * H * W }, (_, k) => pixel(offset + Math.floor(k / (H * W)), k % (H * W))), { gzip });
  const labels = (n: number, offset: number) => writeIdx('uint8', [n], Array.from({ length: n }, (_, i) => (offset + i) % 10), { gzip });
  const gz = gzip ? '.gz' : '';
  return {
    [`train-images-idx3-ubyte${gz}`]: images(trainCount, 0),
    [`train-labels-idx1-ubyte${gz}`]: labels(trainCount, 0),
    [`t10k-images-idx3-ubyte${gz}`]: images(testCount, 1000),
    [`t10k-labels-idx1-ubyte${gz}`]: labels(testCount, 1000),
  };
}

async function collect(dataset: Dataset, split: 'train' | 'validation' | 'test', batchSize = 16, options = {}): Promise<Batch[]> {
  const out: Batch[] = [];
  for await (const batch of dataset.batches(split, batchSize, options)) out.push(batch);
  return out;
}

test('parseIdx reads shape, dtype and big-endian values; gzip is transparent', () => {
  const plain = writeIdx('int16', [2, 3], [1, -2, 300, -400, 5, 6]);
  const parsed = parseIdx(plain, 'a.idx');
  assert.equal(parsed.dtype, 'int16');
  assert.deepEqual(parsed.shape, [2, 3]);
  assert.deepEqual(Array.from(parsed.data), [1, -2, 300, -400, 5, 6]);
  const floats = parseIdx(writeIdx('float32', [2], [0.5, -1.25], { gzip: true }), 'f.gz');
  assert.deepEqual(Array.from(floats.data), [0.5, -1.25]);
});

test('truncated and malformed IDX files are errors naming the file and the problem', () => {
  const labels = writeIdx('uint8', [50], Array.from({ length: 50 }, (_, i) => i % 10));
  assert.throws(() => parseIdx(labels.subarray(0, labels.length - 1), 'labels.idx'), (e: Error) => e instanceof DatasetError && e.message === 'labels.idx: truncated: header says 50 items, file holds 49');
  const images = writeIdx('uint8', [5, 2, 2], new Array(20).fill(1));
  assert.throws(() => parseIdx(images.subarray(0, images.length - 3), 'img.idx'), /img\.idx: truncated: header says 5 items, file holds 4/);
  assert.throws(() => parseIdx(new Uint8Array([...labels, 0]), 'x.idx'), /1 unexpected bytes after the 50 items/);
  assert.throws(() => parseIdx(new Uint8Array([1, 0, 8, 1]), 'x.idx'), /not an IDX file/);
  assert.throws(() => parseIdx(new Uint8Array([0, 0, 0x42, 1, 0, 0, 0, 0]), 'x.idx'), /unsupported IDX dtype code 0x42/);
  const gz = gzipSync(labels);
  assert.throws(() => parseIdx(gz.subarray(0, gz.length - 6), 'labels.gz'), /labels\.gz: corrupt or truncated gzip data/);
});

test('train/t10k pairs: test split comes from t10k, validation is carved from train by seed', async () => {
  const files = mnistLike(60, 20, true);
  const dataset = await openDataset({ bytes: writeZip(files), filename: 'mnist.zip' }, { seed: 5, validationFraction: 0.25 });
  assert.equal(dataset.info.format, 'idx');
  assert.deepEqual(dataset.info.inputShape, [H, W, 1]);
  assert.equal(dataset.info.numClasses, 10);
  assert.deepEqual(dataset.info.splits, { train: 45, validation: 15, test: 20 });
  assert.equal(dataset.info.sampleCount, 80);
  // Every test sample is a t10k sample (its first pixel identifies it), with its label.
  const test = await collect(dataset, 'test');
  const testIds = new Set<number>();
  for (const batch of test) {
    for (let k = 0; k < batch.size; k++) {
      const first = Math.round(batch.x![k * H * W] * 255);
      const id = [...Array(20).keys()].map((i) => 1000 + i).find((i) => pixel(i, 0) === first)!;
      assert.ok(id !== undefined, 'test sample comes from t10k');
      assert.equal(batch.y[k], id % 10);
      testIds.add(id);
      for (let p = 0; p < H * W; p++) assert.ok(Math.abs(batch.x![k * H * W + p] - pixel(id, p) / 255) < 1e-6);
    }
  }
  assert.equal(testIds.size, 20);

  const again = await openDataset({ bytes: writeZip(files), filename: 'mnist.zip' }, { seed: 5, validationFraction: 0.25 });
  const other = await openDataset({ bytes: writeZip(files), filename: 'mnist.zip' }, { seed: 6, validationFraction: 0.25 });
  const labelsOf = async (d: Dataset) => (await collect(d, 'validation')).flatMap((b) => Array.from(b.x!.filter((_, i) => i % (H * W) === 0)));
  assert.deepEqual(await labelsOf(again), await labelsOf(dataset));
  assert.notDeepEqual(await labelsOf(other), await labelsOf(dataset));
});

test('IDX from a folder, a tar and a tar.gz, plain or gzipped', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'condense-idx-'));
  try {
    const files = mnistLike(30, 10, false);
    for (const [name, bytes] of Object.entries(files)) await writeFile(join(dir, name), bytes);
    const fromFolder = await openDataset({ path: dir });
    assert.equal(fromFolder.info.splits.test, 10);
    const onePair = await openDataset({ path: join(dir, 't10k-labels-idx1-ubyte') }, { seed: 2 });
    assert.equal(onePair.info.sampleCount, 10, 'a single IDX path is paired with its images file');
    const fromTar = await openDataset({ bytes: writeTar(files), filename: 'mnist.tar' });
    assert.deepEqual(fromTar.info.splits, fromFolder.info.splits);
    const fromTgz = await openDataset({ bytes: new Uint8Array(gzipSync(writeTar(mnistLike(30, 10, true)))), filename: 'mnist.tar.gz' });
    assert.deepEqual(fromTgz.info.splits, fromFolder.info.splits);
    await assert.rejects(openDataset({ bytes: writeTar(files, { endBlocks: false }).subarray(0, 700), filename: 'cut.tar' }), /truncated tar archive/);
  } finally {
    await rm(dir, { recursive: true });
  }
});

test('inconsistent IDX pairs are rejected', async () => {
  const files = mnistLike(30, 10, false);
  files['train-labels-idx1-ubyte'] = writeIdx('uint8', [29], new Array(29).fill(1));
  await assert.rejects(openDataset({ bytes: writeZip(files), filename: 'bad.zip' }), /train-labels-idx1-ubyte: holds 29 labels but train-images-idx3-ubyte holds 30 images/);
  const lonely = mnistLike(30, 10, false);
  delete lonely['t10k-labels-idx1-ubyte'];
  await assert.rejects(openDataset({ bytes: writeZip(lonely), filename: 'bad.zip' }), /t10k-images-idx3-ubyte: images file has no matching labels file/);
  const truncated = mnistLike(30, 10, false);
  truncated['t10k-labels-idx1-ubyte'] = truncated['t10k-labels-idx1-ubyte'].subarray(0, 12);
  await assert.rejects(openDataset({ bytes: writeZip(truncated), filename: 'bad.zip' }), /t10k-labels-idx1-ubyte: truncated: header says 10 items, file holds 4/);
  await assert.rejects(openDataset({ bytes: files['train-images-idx3-ubyte'], filename: 'train-images-idx3-ubyte' }), /upload both files together/);
});

const FASHION = '/usr/share/datasets/fashion-mnist';
test('reads Debian Fashion-MNIST IDX files', { skip: !existsSync(FASHION) && 'dataset-fashion-mnist not installed' }, async () => {
  const labels = await readIdx(join(FASHION, 't10k-labels-idx1-ubyte.gz'));
  assert.deepEqual(labels.shape, [10000]);
  assert.equal(Math.max(...labels.data), 9);
  const dataset = await openDataset({ path: FASHION }, { maxSamples: 2000 });
  assert.deepEqual(dataset.info.inputShape, [28, 28, 1]);
  assert.equal(dataset.info.sampleCount, 2000);
  const [batch] = await collect(dataset, 'train', 64, { limit: 64 });
  assert.equal(batch.size, 64);
  assert.ok(batch.x!.every((v) => v >= 0 && v <= 1));
  assert.ok(batch.x!.some((v) => v > 0.5));
});
