// @condense/model-client against a real Condense server: cache miss and hit, 304, a damaged
// download rejected (a proxy flips a byte), offline fallback, retries, errors, the file-system and
// IndexedDB caches, progress/completion callbacks and update polling.
import assert from 'node:assert/strict';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { IDBFactory } from 'fake-indexeddb';
import {
  getModel, watchModel, IndexedDbModelCache, MemoryModelCache, MIN_UPDATE_INTERVAL_MS, ModelClientError, type DownloadProgress, type GetModelOptions, type Model, type ModelCache,
} from '@condense/model-client';
import { FileSystemModelCache } from '@condense/model-client/node';
import { backoffDelayMs, DEFAULT_RETRY } from '../../services/model-client/src/retry.ts';
import { startPublished, type Published } from './published.ts';

const FAST_RETRY = { attempts: 3, baseDelayMs: 5, maxDelayMs: 20 };

/** The cache slot of `realUrl` seen from another endpoint (a proxy or a dead address). */
function aliasCache(cache: ModelCache, endpoint: string, realUrl: string): ModelCache {
  return { get: (k) => cache.get(k.replace(endpoint, realUrl)), put: (k, m) => cache.put(k.replace(endpoint, realUrl), m), delete: (k) => cache.delete(k.replace(endpoint, realUrl)) };
}

/** An HTTP proxy in front of the real server that can flip one body byte or answer 503 first. */
async function startProxy(target: string, behaviour: { corrupt: boolean; fail503: number }): Promise<{ url: string; requests: number; server: Server }> {
  const state = { url: '', requests: 0, server: undefined as unknown as Server };
  const upstream = new URL(target);
  state.server = createServer((req, res) => {
    state.requests++;
    if (behaviour.fail503 > 0) {
      behaviour.fail503--;
      res.writeHead(503, { 'retry-after': '0' }).end();
      return;
    }
    // A corrupting proxy asks for the raw file, so the flipped byte lands in the model itself
    // (inside a gzip body it would break decoding instead of reaching the SHA-256 check).
    const headers = behaviour.corrupt ? { ...req.headers, 'accept-encoding': 'identity' } : req.headers;
    const forward = request({ host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers }, (answer) => {
      const chunks: Buffer[] = [];
      answer.on('data', (c: Buffer) => chunks.push(c));
      answer.on('end', () => {
        const body = Buffer.concat(chunks);
        if (behaviour.corrupt && body.length > 100) body[100] = body[100]! ^ 0xff;
        res.writeHead(answer.statusCode!, answer.headers).end(body);
      });
    });
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => state.server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(state.server.address() as AddressInfo).port}`;
  return state;
}

describe('@condense/model-client against a real server', () => {
  let p: Published;
  let first: Awaited<ReturnType<Published['addCandidate']>>;
  let second: Awaited<ReturnType<Published['addCandidate']>>;
  let base: GetModelOptions;
  const dirs: string[] = [];
  before(async () => {
    p = await startPublished();
    first = await p.addCandidate('first');
    second = await p.addCandidate('second');
    await p.publish(first.id);
    base = { endpoint: p.h.server.url, projectId: p.projectId, channel: 'production', appKey: p.appKey, retry: FAST_RETRY };
  });
  after(async () => {
    await p?.h.close();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('downloads on a cache miss, then revalidates with a 304, then downloads a newly published model', async () => {
    const cache = new MemoryModelCache();
    const progress: DownloadProgress[] = [];
    const completed: Model[] = [];
    const a = await getModel({ ...base, cache, onProgress: (e) => progress.push(e), onComplete: (m) => completed.push(m) });
    assert.equal(a.source, 'network');
    assert.equal(a.sha256, first.sha256);
    assert.deepEqual(a.bytes, first.bytes);
    assert.equal(a.version, first.id);
    assert.equal(a.metadata.candidateId, first.id);
    assert.match(a.metadata.deploymentId ?? '', /.+/);
    assert.ok(progress.length >= 1);
    assert.deepEqual(progress.at(-1), { receivedBytes: first.bytes.length, totalBytes: first.bytes.length });
    assert.equal(completed.length, 1);

    const b = await getModel({ ...base, cache });
    assert.equal(b.source, 'not-modified');
    assert.deepEqual(b.bytes, first.bytes);

    await p.publish(second.id);
    const c = await getModel({ ...base, cache });
    assert.equal(c.source, 'network');
    assert.equal(c.sha256, second.sha256);
    assert.equal((await cache.get(`${p.h.server.url}|${p.projectId}|production`))?.sha256, second.sha256);
    await p.publish(first.id);
  });

  it('rejects a damaged download: never returned, never cached; falls back to the verified cached copy', async () => {
    const proxy = await startProxy(p.h.server.url, { corrupt: true, fail503: 0 });
    try {
      const via = { ...base, endpoint: proxy.url };
      await assert.rejects(getModel({ ...via, cache: new MemoryModelCache() }), (e: ModelClientError) => e.code === 'UNAVAILABLE' && (e.cause as ModelClientError).code === 'INTEGRITY');
      assert.equal(proxy.requests, FAST_RETRY.attempts);

      const cache = new MemoryModelCache();
      await getModel({ ...base, cache }); // the real, verified copy of "first"
      await p.publish(second.id);
      const got = await getModel({ ...via, cache: aliasCache(cache, proxy.url, p.h.server.url) });
      assert.equal(got.source, 'offline-cache');
      assert.equal(got.sha256, first.sha256);
      assert.deepEqual(got.bytes, first.bytes);
      assert.equal((await cache.get(`${p.h.server.url}|${p.projectId}|production`))?.sha256, first.sha256, 'the damaged bytes were not cached');
    } finally {
      await p.publish(first.id);
      proxy.server.close();
    }
  });

  it('retries 503 answers with backoff, then succeeds', async () => {
    const proxy = await startProxy(p.h.server.url, { corrupt: false, fail503: 2 });
    try {
      const got = await getModel({ ...base, endpoint: proxy.url, cache: new MemoryModelCache() });
      assert.equal(got.source, 'network');
      assert.equal(proxy.requests, 3);
    } finally {
      proxy.server.close();
    }
    assert.equal(backoffDelayMs(1, DEFAULT_RETRY, () => 0.5), 500);
    assert.equal(backoffDelayMs(3, DEFAULT_RETRY, () => 0.5), 2000);
    assert.equal(backoffDelayMs(10, DEFAULT_RETRY, () => 0.5), 8000);
  });

  it('works offline from the cache, and says UNAVAILABLE with nothing cached', async () => {
    const cache = new MemoryModelCache();
    await getModel({ ...base, cache });
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const deadUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const got = await getModel({ ...base, endpoint: deadUrl, cache: aliasCache(cache, deadUrl, p.h.server.url) });
    assert.equal(got.source, 'offline-cache');
    assert.equal(got.sha256, first.sha256);
    await assert.rejects(getModel({ ...base, endpoint: deadUrl, cache: new MemoryModelCache() }), (e: ModelClientError) => e.code === 'UNAVAILABLE');
  });

  it('answers clear errors for a wrong key, a missing channel and bad options, without retrying', async () => {
    await assert.rejects(getModel({ ...base, appKey: 'cnda_wrong', cache: new MemoryModelCache() }), (e: ModelClientError) => e.code === 'UNAUTHENTICATED');
    await assert.rejects(getModel({ ...base, channel: 'beta', cache: new MemoryModelCache() }), (e: ModelClientError) => e.code === 'NOT_FOUND' && /beta/.test(e.message));
    await assert.rejects(getModel({ ...base, endpoint: 'ftp://x' }), (e: ModelClientError) => e.code === 'INVALID_OPTIONS');
    await assert.rejects(getModel({ ...base, appKey: '' }), (e: ModelClientError) => e.code === 'INVALID_OPTIONS' && /appKey/.test(e.message));
  });

  it('keeps models on disk across app restarts and drops a damaged cached file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'model-client-'));
    dirs.push(dir);
    assert.equal((await getModel({ ...base, cache: new FileSystemModelCache(dir) })).source, 'network');
    assert.equal((await getModel({ ...base, cache: new FileSystemModelCache(dir) })).source, 'not-modified');
    const file = readdirSync(dir).find((f) => f.endsWith('.tflite'))!;
    const damaged = first.bytes.slice();
    damaged[0] = damaged[0]! ^ 1;
    writeFileSync(join(dir, file), damaged);
    const again = await getModel({ ...base, cache: new FileSystemModelCache(dir) });
    assert.equal(again.source, 'network');
    assert.deepEqual(again.bytes, first.bytes);
  });

  it('caches in IndexedDB (the browser adapter)', async () => {
    const factory = new IDBFactory();
    const cache = new IndexedDbModelCache('test-models', factory);
    assert.equal((await getModel({ ...base, cache })).source, 'network');
    const reopened = new IndexedDbModelCache('test-models', factory);
    const hit = await getModel({ ...base, cache: reopened });
    assert.equal(hit.source, 'not-modified');
    assert.deepEqual(hit.bytes, first.bytes);
    await cache.close();
    await reopened.close();
  });

  it('watchModel polls no faster than the floor and reports a newly published model once', async () => {
    const updates: Model[] = [];
    const cache = new MemoryModelCache();
    const current = await getModel({ ...base, cache });
    const watcher = watchModel({ ...base, cache, intervalMs: 10, knownSha256: current.sha256, onUpdate: (m) => updates.push(m) });
    try {
      assert.equal(watcher.intervalMs, MIN_UPDATE_INTERVAL_MS);
      assert.equal(await watcher.checkNow(), undefined);
      await p.publish(second.id);
      const update = await watcher.checkNow();
      assert.equal(update?.sha256, second.sha256);
      assert.equal(await watcher.checkNow(), undefined);
      assert.deepEqual(updates.map((m) => m.sha256), [second.sha256]);
    } finally {
      watcher.stop();
      await p.publish(first.id);
    }
  });

  it('answers CORS preflights so browser apps on any origin can call the endpoint', async () => {
    const res = await fetch(`${p.h.server.url}/v1/projects/${p.projectId}/channels/production/model`, {
      method: 'OPTIONS', headers: { origin: 'https://app.example', 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization,if-none-match,x-condense-install-id' },
    });
    assert.equal(res.status, 204);
    assert.equal(res.headers.get('access-control-allow-origin'), '*');
    assert.match(res.headers.get('access-control-allow-headers') ?? '', /X-Condense-Install-Id/);
    const get = await fetch(`${p.h.server.url}/v1/projects/${p.projectId}/channels/production/model`, { headers: { authorization: `Bearer ${p.appKey}` } });
    assert.match(get.headers.get('access-control-expose-headers') ?? '', /ETag/);
  });
});
