// The file blob store: content addressing, limits, atomic placement, corruption detection.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buffer } from 'node:stream/consumers';
import { after, before, test } from 'node:test';
import {
  BlobCorruptError,
  BlobHashMismatchError,
  BlobNotFoundError,
  BlobTooLargeError,
  FileBlobStore,
  InvalidBlobIdError,
} from '../../services/blob/index.ts';

const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

async function* chunked(bytes: Uint8Array, size: number, delayMs = 0): AsyncIterable<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) {
    if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
    yield bytes.subarray(i, i + size);
  }
}

let root: string;
let store: FileBlobStore;
before(async () => {
  root = await mkdtemp(join(tmpdir(), 'condense-blob-'));
  store = new FileBlobStore(root);
});
after(() => rm(root, { recursive: true, force: true }));

async function tempFiles(): Promise<string[]> {
  return readdir(join(root, 'tmp')).catch(() => []);
}

test('round trip from bytes and from a stream', async () => {
  const bytes = randomBytes(300_000);
  const fromBytes = await store.put(bytes);
  assert.deepEqual(fromBytes, { sha256: sha(bytes), size: bytes.length });
  const fromStream = await store.put(chunked(bytes, 7_000), { expectedSha256: sha(bytes), maxBytes: bytes.length });
  assert.deepEqual(fromStream, fromBytes);
  assert.deepEqual(Buffer.from(await store.read(fromBytes.sha256)), bytes);
  assert.deepEqual(await buffer(await store.open(fromBytes.sha256)), bytes);
  assert.deepEqual(await store.stat(fromBytes.sha256), { size: bytes.length });
  assert.ok(store.pathOf(fromBytes.sha256).endsWith(`${fromBytes.sha256.slice(0, 2)}/${fromBytes.sha256.slice(2, 4)}/${fromBytes.sha256}`));
  assert.deepEqual(await tempFiles(), []);
});

test('the empty blob is a blob', async () => {
  const result = await store.put(new Uint8Array(0));
  assert.equal(result.size, 0);
  assert.equal((await store.read(result.sha256)).length, 0);
});

test('over the size limit: rejected, nothing stored', async () => {
  const bytes = randomBytes(10_000);
  await assert.rejects(store.put(chunked(bytes, 1000), { maxBytes: 9_999 }), BlobTooLargeError);
  assert.equal(await store.stat(sha(bytes)), null);
  assert.deepEqual(await tempFiles(), []);
});

test('wrong expected hash: rejected, nothing stored', async () => {
  const bytes = randomBytes(1000);
  const wrong = sha(randomBytes(10));
  await assert.rejects(store.put(bytes, { expectedSha256: wrong }), (error: unknown) => {
    assert.ok(error instanceof BlobHashMismatchError);
    assert.equal(error.actual, sha(bytes));
    return true;
  });
  assert.equal(await store.stat(sha(bytes)), null);
  assert.equal(await store.stat(wrong), null);
});

test('a source that fails midway leaves nothing behind', async () => {
  async function* broken(): AsyncIterable<Uint8Array> {
    yield randomBytes(100);
    throw new Error('connection reset');
  }
  await assert.rejects(store.put(broken()), /connection reset/);
  assert.deepEqual(await tempFiles(), []);
});

test('two concurrent writers of the same blob both succeed with one intact copy', async () => {
  const bytes = randomBytes(200_000);
  const [a, b] = await Promise.all([store.put(chunked(bytes, 5_000, 1)), store.put(chunked(bytes, 3_000, 1))]);
  assert.deepEqual(a, b);
  assert.deepEqual(Buffer.from(await store.read(a.sha256)), bytes);
  assert.deepEqual(await tempFiles(), []);
});

test('a corrupted blob is reported, never served, and a fresh put repairs it', async () => {
  const bytes = randomBytes(50_000);
  const { sha256 } = await store.put(bytes);
  const flipped = Buffer.from(bytes);
  flipped[1234] ^= 0xff;
  await writeFile(store.pathOf(sha256), flipped);
  await assert.rejects(store.read(sha256), BlobCorruptError);
  await assert.rejects(store.open(sha256), BlobCorruptError);
  await store.put(bytes);
  assert.deepEqual(Buffer.from(await store.read(sha256)), bytes);
});

test('missing blobs and invalid ids', async () => {
  const missing = sha(randomBytes(8));
  await assert.rejects(store.read(missing), BlobNotFoundError);
  await assert.rejects(store.open(missing), BlobNotFoundError);
  assert.equal(await store.stat(missing), null);
  await assert.rejects(store.read('../../etc/passwd'), InvalidBlobIdError);
  await assert.rejects(store.put(new Uint8Array(1), { expectedSha256: 'ABC' }), InvalidBlobIdError);
});
