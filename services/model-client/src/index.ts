// @condense/model-client: get the model a Condense channel serves to this device, verified and
// cached; watch for updates. No Node-only APIs here (the file-system cache is in ./node.ts).
export { getModel } from './get-model.ts';
export { watchModel, MIN_UPDATE_INTERVAL_MS, type ModelWatcher, type WatchModelOptions } from './watch-model.ts';
export { MemoryModelCache, cacheKey, type CachedModel, type ModelCache } from './cache.ts';
export { IndexedDbModelCache } from './indexeddb-cache.ts';
export { ModelClientError, type ModelClientErrorCode } from './errors.ts';
export { deviceHeaders, modelUrl, REQUEST_HEADERS, RESPONSE_HEADERS, telemetryUrl } from './protocol.ts';
export { InferenceStats, MAX_LATENCY_SAMPLES, reportTelemetry, type ReportTelemetryOptions, type TelemetryReport } from './telemetry.ts';
export { DEFAULT_RETRY, type RetryOptions } from './retry.ts';
export { webCryptoSha256, type HashFunction } from './sha256.ts';
export type { DeviceInfo, DownloadProgress, GetModelOptions, Model, ModelInfo, ModelSource } from './types.ts';
