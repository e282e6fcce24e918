// Runs one job in a fresh worker thread under a wall-clock limit and memory limits, serves it
// batches, relays its progress and logs, and always ends with an outcome — never a throw for
// anything the plugin did.
import { createInterface } from 'node:readline';
import { Worker } from 'node:worker_threads';
import type { PluginManifest, ProgressUpdate } from '@condense/plugin-sdk';
import type { Batch, Dataset } from '../engine/data/types.ts';
import type { PluginFailureReason } from './errors.ts';
import { watchMemory } from './memory-watchdog.ts';
import type { HostMessage, LogLevel, WireCandidate, WorkerJob, WorkerMessage } from './protocol.ts';

const BOOT = new URL('./worker/boot.mjs', import.meta.url);

export interface LogEntry {
  level: LogLevel;
  message: string;
  fields?: Record<string, unknown>;
}

export interface WorkerRunOptions {
  job: WorkerJob;
  /** A spare worker spawned with a 'warm' job (same heap limit); `job` must then be an invoke job. */
  warm?: Worker;
  /** ArrayBuffers in `job` to move rather than copy. */
  transfer?: ArrayBuffer[];
  timeoutMs: number;
  memoryLimitMb: number;
  /** Cap of the worker's JavaScript heap (default: memoryLimitMb). */
  heapLimitMb?: number;
  data?: Dataset;
  signal?: AbortSignal;
  /** How long a cancelled worker may take to stop by itself before it is terminated. */
  cancelGraceMs?: number;
  onProgress?: (update: ProgressUpdate) => void;
  onLog?: (entry: LogEntry) => void;
}

export type WorkerOutcome = (
  | { kind: 'described'; manifest: PluginManifest; hooks: { compress: boolean; registerLayers: boolean } }
  | { kind: 'result'; candidates: WireCandidate[]; invalid: Array<{ candidate?: string; message: string }> }
  | { kind: 'failed'; reason: PluginFailureReason; message: string }
) & {
  /** Largest memory the worker reported for itself (JS heap + external + ArrayBuffers), bytes. */
  peakMemoryBytes?: number;
};

/** Environment variables a plugin worker keeps: locale, paths, and engine/runtime settings. */
const ENV_ALLOWED = /^(PATH|HOME|TMPDIR|TMP|TEMP|LANG|LANGUAGE|LC_[A-Z]+|TZ|NODE_ENV|CONDENSE_BACKEND|TSX_[A-Z_]+|LD_LIBRARY_PATH|CUDA_[A-Z_]+|TF_[A-Z_]+|EGL_PLATFORM)$/;

function pluginEnvironment(): Record<string, string> {
  return Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => ENV_ALLOWED.test(e[0]) && e[1] !== undefined));
}

/** Starts a worker thread for `job` with the plugin environment and a JS-heap cap. */
export function spawnPluginWorker(job: WorkerJob, heapLimitMb: number, transfer: ArrayBuffer[] = []): Worker {
  return new Worker(BOOT, {
    workerData: job,
    transferList: transfer,
    resourceLimits: { maxOldGenerationSizeMb: heapLimitMb },
    // Plugins see no secrets (database URLs, signing keys): only what a runtime needs.
    env: pluginEnvironment(),
    stdout: true,
    stderr: true,
    // No inherited flags (e.g. --test) in the plugin's thread; tsx is registered by boot.mjs.
    execArgv: [],
  });
}

export function runInWorker(options: WorkerRunOptions): Promise<WorkerOutcome> {
  return new Promise<WorkerOutcome>((resolve) => {
    const { job, data, signal } = options;
    const heapLimitMb = options.heapLimitMb ?? options.memoryLimitMb;
    if (signal?.aborted) {
      void options.warm?.terminate();
      resolve({ kind: 'failed', reason: 'cancelled', message: 'cancelled before it started' });
      return;
    }
    let worker: Worker;
    if (options.warm && job.job === 'invoke') {
      worker = options.warm;
      worker.ref();
      worker.postMessage({ type: 'start', job } satisfies HostMessage, options.transfer ?? []);
    } else {
      worker = spawnPluginWorker(job, heapLimitMb, options.transfer);
    }
    let settled = false;
    let peakSelfReported = 0;
    const iterators = new Map<number, { it: AsyncIterator<Batch>; queue: Promise<void> }>();

    const settle = (outcome: WorkerOutcome): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(graceTimer);
      watchdog.stop();
      signal?.removeEventListener('abort', onAbort);
      for (const { it } of iterators.values()) void it.return?.().catch(() => undefined);
      iterators.clear();
      void worker.terminate().finally(() => resolve({ ...outcome, peakMemoryBytes: peakSelfReported }));
    };

    const limitBytes = options.memoryLimitMb * 1024 * 1024;
    const watchdog = watchMemory({
      limitBytes,
      onExceeded: (used) => settle({ kind: 'failed', reason: 'out-of-memory', message: `used ${mb(used)} of memory, over its ${options.memoryLimitMb} MB limit` }),
    });
    const timer = setTimeout(() => settle({ kind: 'failed', reason: 'timeout', message: `did not finish within ${formatDuration(options.timeoutMs)}` }), options.timeoutMs);
    let graceTimer: NodeJS.Timeout | undefined;
    const onAbort = (): void => {
      post({ type: 'abort', reason: 'cancelled' });
      graceTimer = setTimeout(() => settle({ kind: 'failed', reason: 'cancelled', message: 'cancelled' }), options.cancelGraceMs ?? 2000);
    };
    signal?.addEventListener('abort', onAbort, { once: true });

    const post = (message: HostMessage, transfer: ArrayBuffer[] = []): void => {
      if (!settled) worker.postMessage(message, transfer);
    };

    for (const [stream, level] of [[worker.stdout, 'info'], [worker.stderr, 'warn']] as const) {
      createInterface({ input: stream }).on('line', (line) => {
        if (line.trim()) options.onLog?.({ level, message: line, fields: { stream: level === 'info' ? 'stdout' : 'stderr' } });
      });
    }

    worker.on('message', (m: WorkerMessage) => {
      if (settled) return;
      switch (m.type) {
        case 'described': settle({ kind: 'described', manifest: m.manifest, hooks: m.hooks }); break;
        case 'result':
          if (signal?.aborted) settle({ kind: 'failed', reason: 'cancelled', message: 'cancelled' });
          else settle({ kind: 'result', candidates: m.candidates, invalid: m.invalid });
          break;
        case 'failed':
          settle(signal?.aborted ? { kind: 'failed', reason: 'cancelled', message: 'cancelled' } : { kind: 'failed', reason: m.reason, message: m.message });
          break;
        case 'progress': safely(() => options.onProgress?.(m.update)); break;
        case 'log': safely(() => options.onLog?.({ level: m.level, message: m.message, ...(m.fields ? { fields: m.fields } : {}) })); break;
        case 'memory': watchdogReport(m.heapUsed + m.external + m.arrayBuffers); break;
        case 'batches-open': openIterator(m.iterator, m.split, m.batchSize, m.options); break;
        case 'batches-next': nextBatch(m.iterator); break;
        case 'batches-close': {
          const entry = iterators.get(m.iterator);
          iterators.delete(m.iterator);
          void entry?.it.return?.().catch(() => undefined);
          break;
        }
      }
    });
    const watchdogReport = (bytes: number): void => {
      peakSelfReported = Math.max(peakSelfReported, bytes);
      watchdog.report(bytes);
    };
    worker.on('error', (err: Error & { code?: string }) => {
      if (err.code === 'ERR_WORKER_OUT_OF_MEMORY') {
        settle({ kind: 'failed', reason: 'out-of-memory', message: `exhausted its ${heapLimitMb} MB JavaScript heap` });
      } else {
        settle({ kind: 'failed', reason: 'threw', message: `uncaught ${err.name ?? 'error'}: ${(err.message ?? String(err)).split('\n')[0]}` });
      }
    });
    worker.on('messageerror', (err) => settle({ kind: 'failed', reason: 'invalid-output', message: `sent a message that could not be read: ${err.message}` }));
    worker.on('exit', (code) => settle({ kind: 'failed', reason: 'threw', message: `worker exited with code ${code} before finishing` }));

    function openIterator(id: number, split: string, batchSize: number, batchOptions?: { shuffleSeed?: number; limit?: number }): void {
      try {
        if (!data) throw new Error('this invocation has no dataset');
        if (split !== 'train' && split !== 'validation') throw new Error(`plugins may read the 'train' and 'validation' splits, not '${split}'`);
        const it = data.batches(split, batchSize, batchOptions)[Symbol.asyncIterator]();
        iterators.set(id, { it, queue: Promise.resolve() });
      } catch (err) {
        iterators.set(id, { it: failingIterator((err as Error).message), queue: Promise.resolve() });
      }
    }

    function nextBatch(id: number): void {
      const entry = iterators.get(id);
      if (!entry) {
        post({ type: 'batch', iterator: id, error: 'batch iterator is closed' });
        return;
      }
      // One pending read per iterator at a time, in request order.
      entry.queue = entry.queue.then(async () => {
        try {
          const r = await entry.it.next();
          if (r.done) {
            post({ type: 'batch', iterator: id, done: true });
            return;
          }
          const { batch, transfer } = copyBatch(r.value);
          post({ type: 'batch', iterator: id, batch }, transfer);
        } catch (err) {
          post({ type: 'batch', iterator: id, error: `reading data failed: ${(err as Error).message.split('\n')[0]}` });
        }
      });
    }
  });
}

/** Copies a batch into fresh buffers that can be transferred (a dataset may reuse its own). */
function copyBatch(batch: Batch): { batch: Batch; transfer: ArrayBuffer[] } {
  const y = new Int32Array(batch.y);
  const x = batch.x ? new Float32Array(batch.x) : undefined;
  return {
    batch: { size: batch.size, y, ...(x ? { x } : {}), ...(batch.texts ? { texts: [...batch.texts] } : {}) },
    transfer: [y.buffer, ...(x ? [x.buffer] : [])],
  };
}

function failingIterator(message: string): AsyncIterator<Batch> {
  return { next: () => Promise.reject(new Error(message)) };
}

function safely(fn: () => void): void {
  try {
    fn();
  } catch {
    // A listener's failure must not take the invocation down.
  }
}

function mb(bytes: number): string {
  return `${Math.round(bytes / (1024 * 1024))} MB`;
}

function formatDuration(ms: number): string {
  return ms >= 60_000 ? `${+(ms / 60_000).toFixed(1)} min` : ms >= 1000 ? `${+(ms / 1000).toFixed(1)} s` : `${ms} ms`;
}
