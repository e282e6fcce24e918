// getModel: one conditional request (with retries) to the app endpoint, integrity check, cache.
//
// 1. A cached copy is verified (SHA-256) first; a damaged one is dropped.
// 2. GET with If-None-Match: 304 → the cached copy; 200 → the body must hash to the ETag, then it
//    is cached; 401/404 → ModelClientError (the app's configuration is wrong, no fallback).
// 3. Network errors, timeouts, 408/429/5xx and damaged downloads are retried with backoff; when
//    every attempt failed, the cached copy is used ("offline-cache"), or UNAVAILABLE is thrown.
import { cacheKey, MemoryModelCache, type CachedModel, type ModelCache } from './cache.ts';
import { readBody } from './download.ts';
import { ModelClientError } from './errors.ts';
import { deviceHeaders, modelUrl, RESPONSE_HEADERS, sha256FromEtag } from './protocol.ts';
import { backoffDelayMs, DEFAULT_RETRY, isRetryableStatus, retryAfterMs, sleep } from './retry.ts';
import { webCryptoSha256, type HashFunction } from './sha256.ts';
import type { GetModelOptions, Model, ModelSource } from './types.ts';

const DEFAULT_TIMEOUT_MS = 30_000;
/** Used when no cache is given: models survive between calls in this process only. */
const processCache = new MemoryModelCache();

export async function getModel(options: GetModelOptions): Promise<Model> {
  validate(options);
  const cache = options.cache ?? processCache;
  const hash = options.hash ?? webCryptoSha256;
  const key = cacheKey(options.endpoint, options.projectId, options.channel);
  const cached = await readVerified(cache, key, hash);
  const retry = { ...DEFAULT_RETRY, ...options.retry };

  let lastError: unknown;
  for (let attempt = 1; attempt <= retry.attempts; attempt++) {
    if (attempt > 1) await sleep(lastDelay(lastError) ?? backoffDelayMs(attempt - 1, retry), options.signal);
    try {
      const outcome = await attemptOnce(options, cached, hash);
      if (outcome.kind === 'not-modified') return finish(options, cached!, 'not-modified');
      await cache.put(key, outcome.model);
      return finish(options, outcome.model, 'network');
    } catch (error) {
      if (options.signal?.aborted) throw options.signal.reason;
      if (error instanceof ModelClientError && !retryable(error)) throw error;
      lastError = error;
    }
  }
  if (cached) return finish(options, cached, 'offline-cache');
  throw new ModelClientError('UNAVAILABLE', `could not get the model after ${retry.attempts} attempts and none is cached: ${(lastError as Error)?.message ?? String(lastError)}`, {
    cause: lastError,
  });
}

type Outcome = { kind: 'not-modified' } | { kind: 'downloaded'; model: CachedModel };

class RetryableStatus extends ModelClientError {
  constructor(status: number, readonly retryAfter: number | null) {
    super('HTTP', `the server answered ${status}`, { status });
  }
}

async function attemptOnce(options: GetModelOptions, cached: CachedModel | undefined, hash: HashFunction): Promise<Outcome> {
  const controller = new AbortController();
  const timeout = setTimeout(() => controller.abort(new Error(`no answer within ${options.timeoutMs ?? DEFAULT_TIMEOUT_MS} ms`)), options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  const onAbort = () => controller.abort(options.signal?.reason);
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const response = await (options.fetch ?? globalThis.fetch)(modelUrl(options.endpoint, options.projectId, options.channel), {
      headers: requestHeaders(options, cached),
      signal: controller.signal,
    });
    if (response.status === 304 && cached) return { kind: 'not-modified' };
    if (response.status === 401) throw new ModelClientError('UNAUTHENTICATED', 'the app key was refused (wrong or revoked)', { status: 401 });
    if (response.status === 404) throw new ModelClientError('NOT_FOUND', `no model is deployed to channel "${options.channel}" of this project for this device`, { status: 404 });
    if (isRetryableStatus(response.status)) throw new RetryableStatus(response.status, retryAfterMs(response.headers.get('retry-after')));
    if (response.status !== 200) throw new ModelClientError('HTTP', `unexpected answer ${response.status} from the app endpoint`, { status: response.status });
    const expected = sha256FromEtag(response.headers.get('etag'));
    if (!expected) throw new ModelClientError('HTTP', 'the server sent no SHA-256 ETag; is the endpoint a Condense server?', { status: 200 });
    const bytes = await readBody(response, options.onProgress);
    const actual = await hash(bytes);
    if (actual !== expected) throw new ModelClientError('INTEGRITY', `the downloaded model is damaged (SHA-256 ${actual.slice(0, 12)}…, expected ${expected.slice(0, 12)}…)`);
    const candidateId = response.headers.get(RESPONSE_HEADERS.candidate);
    return {
      kind: 'downloaded',
      model: {
        bytes, sha256: actual, version: candidateId ?? actual,
        metadata: { deploymentId: response.headers.get(RESPONSE_HEADERS.deployment), candidateId, channel: options.channel, downloadedAt: new Date().toISOString() },
      },
    };
  } finally {
    clearTimeout(timeout);
    options.signal?.removeEventListener('abort', onAbort);
  }
}

function requestHeaders(options: GetModelOptions, cached: CachedModel | undefined): Record<string, string> {
  const headers: Record<string, string> = { Authorization: `Bearer ${options.appKey}`, ...deviceHeaders(options.device) };
  if (cached) headers['If-None-Match'] = `"${cached.sha256}"`;
  return headers;
}

/** INTEGRITY and retryable statuses are worth another attempt; other ModelClientErrors are final. */
function retryable(error: ModelClientError): boolean {
  return error instanceof RetryableStatus || error.code === 'INTEGRITY';
}

function lastDelay(error: unknown): number | null {
  return error instanceof RetryableStatus ? error.retryAfter : null;
}

async function readVerified(cache: ModelCache, key: string, hash: HashFunction): Promise<CachedModel | undefined> {
  const entry = await cache.get(key);
  if (!entry) return undefined;
  if ((await hash(entry.bytes)) === entry.sha256) return entry;
  await cache.delete(key);
  return undefined;
}

function finish(options: GetModelOptions, entry: CachedModel, source: ModelSource): Model {
  const model: Model = { ...entry, source };
  options.onComplete?.(model);
  return model;
}

function validate(options: GetModelOptions): void {
  const missing = (['endpoint', 'projectId', 'channel', 'appKey'] as const).filter((name) => typeof options[name] !== 'string' || options[name].length === 0);
  if (missing.length) throw new ModelClientError('INVALID_OPTIONS', `getModel needs ${missing.join(', ')}`);
  if (!/^https?:\/\//.test(options.endpoint)) throw new ModelClientError('INVALID_OPTIONS', `endpoint must be an http(s) URL (got "${options.endpoint}")`);
  if (options.device && (typeof options.device.installId !== 'string' || options.device.installId.length === 0 || options.device.installId.length > 128)) {
    throw new ModelClientError('INVALID_OPTIONS', 'device.installId must be a non-empty string of at most 128 characters');
  }
}
