// Runs one job in a fresh sandboxed plugin process (services/plugins/sandbox.ts) under a
// wall-clock limit and memory limits, serves it batches, relays its progress and logs, and always
// ends with an outcome — never a throw for anything the plugin did. Messages cross the process
// boundary over the IPC channel with V8 serialisation (models and batches as bytes).
import { spawn, type ChildProcess } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import type { PluginManifest, ProgressUpdate } from '@condense/plugin-sdk';
import type { Batch, Dataset } from '../engine/data/types.ts';
import { bundledEntry, NODE_MODULES } from '../isolation/bundle.ts';
import { watchResidentMemory } from '../isolation/memory-watch.ts';
import type { PluginFailureReason } from './errors.ts';
import type { HostMessage, LogLevel, WireCandidate, WorkerJob, WorkerMessage } from './protocol.ts';
import { createScratchDir, sandboxCommand } from './sandbox.ts';

const ENTRY = fileURLToPath(new URL('./worker/main.ts', import.meta.url));

export interface LogEntry {
  level: LogLevel;
  message: string;
  fields?: Record<string, unknown>;
}

export interface PluginProcessOptions {
  /** Load the engine right away (a spare waiting for an invoke job). */
  warm: boolean;
  backend: string;
  heapLimitMb: number;
  /** Plugin packages the process may read (besides node_modules and its scratch dir). */
  readPaths: string[];
  /** CPU seconds before the kernel stops it. */
  cpuSeconds: number;
  /** Largest file it may write, bytes. */
  maxFileBytes: number;
  label: string;
}

/** A started plugin process waiting for its job, with its own scratch directory. */
export interface PluginProcess {
  child: ChildProcess;
  scratchDir: string;
  /** Resolves when the process has exited and its scratch directory is gone. */
  closed: Promise<void>;
  /** Last stderr output (for heap exhaustion messages). */
  stderrTail(): string;
  /** Whether the process (its handle, IPC channel and pipes) keeps this process's event loop alive. */
  ref(): void;
  unref(): void;
  kill(): Promise<void>;
}

function setRef(child: ChildProcess, on: boolean): void {
  const handles = [child, child.channel, child.stdout, child.stderr] as unknown as Array<{ ref?: () => void; unref?: () => void } | null | undefined>;
  for (const h of handles) (on ? h?.ref : h?.unref)?.call(h);
}

/** Starts a sandboxed plugin process; it waits for a { type: 'start', job } message. */
export async function spawnPluginProcess(options: PluginProcessOptions): Promise<PluginProcess> {
  // The SDK is TypeScript source (a workspace package): inlined; every other package stays an import.
  const entry = await bundledEntry(ENTRY, { external: (specifier) => !specifier.startsWith('@condense/') });
  const scratchDir = await createScratchDir(options.label);
  const { command, args } = sandboxCommand({
    entry, args: [options.warm ? 'warm' : 'cold', options.backend], readPaths: options.readPaths, scratchDir,
    heapLimitMb: options.heapLimitMb, cpuSeconds: options.cpuSeconds, maxFileBytes: options.maxFileBytes,
  });
  const child = spawn(command, args, { cwd: NODE_MODULES, env: {}, stdio: ['ignore', 'pipe', 'pipe', 'ipc'], serialization: 'advanced' });
  let tail = '';
  child.stderr!.setEncoding('utf8').on('data', (text: string) => {
    tail = (tail + text).slice(-4000);
  });
  child.on('error', () => undefined);
  const closed = new Promise<void>((resolve) => {
    child.once('close', () => resolve());
    child.once('error', () => resolve());
  }).then(() => rm(scratchDir, { recursive: true, force: true }).catch(() => undefined));
  return {
    child,
    scratchDir,
    closed,
    stderrTail: () => tail,
    ref: () => setRef(child, true),
    unref: () => setRef(child, false),
    async kill() {
      setRef(child, true); // until it is gone, so that awaiting this keeps the caller alive
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await closed;
    },
  };
}

export interface WorkerRunOptions {
  job: WorkerJob;
  /** The process to run in: a spare (warm) one, or a fresh one started for this job. */
  process: PluginProcess;
  timeoutMs: number;
  memoryLimitMb: number;
  /** Cap of the process's JavaScript heap (for the message when it is exhausted). */
  heapLimitMb: number;
  data?: Dataset;
  signal?: AbortSignal;
  /** How long a cancelled process may take to stop by itself before it is killed. */
  cancelGraceMs?: number;
  onProgress?: (update: ProgressUpdate) => void;
  onLog?: (entry: LogEntry) => void;
}

export type WorkerOutcome = (
  | { kind: 'described'; manifest: PluginManifest; hooks: { compress: boolean; registerLayers: boolean } }
  | { kind: 'result'; candidates: WireCandidate[]; invalid: Array<{ candidate?: string; message: string }> }
  | { kind: 'failed'; reason: PluginFailureReason; message: string }
) & {
  /** Largest resident memory of the plugin process, bytes (0 if never sampled). */
  peakMemoryBytes?: number;
};

const SAMPLE_MS = 50;
const LEVELS = new Set<unknown>(['debug', 'info', 'warn', 'error']);

export function runInWorker(options: WorkerRunOptions): Promise<WorkerOutcome> {
  return new Promise<WorkerOutcome>((resolve) => {
    const { job, data, signal, process: proc } = options;
    const { child } = proc;
    if (signal?.aborted) {
      void proc.kill();
      resolve({ kind: 'failed', reason: 'cancelled', message: 'cancelled before it started' });
      return;
    }
    let settled = false;
    let peak = 0;
    const iterators = new Map<number, { it: AsyncIterator<Batch>; queue: Promise<void> }>();

    const settle = (outcome: WorkerOutcome): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(graceTimer);
      stopWatching();
      signal?.removeEventListener('abort', onAbort);
      for (const { it } of iterators.values()) void it.return?.().catch(() => undefined);
      iterators.clear();
      void proc.kill().finally(() => resolve({ ...outcome, peakMemoryBytes: peak }));
    };

    const limitBytes = options.memoryLimitMb * 1024 * 1024;
    const stopWatching = watchResidentMemory(() => child.pid, SAMPLE_MS, (rss) => {
      peak = Math.max(peak, rss);
      if (rss > limitBytes) settle({ kind: 'failed', reason: 'out-of-memory', message: `used ${mb(rss)} of memory, over its ${options.memoryLimitMb} MB limit` });
    });
    const timer = setTimeout(() => settle({ kind: 'failed', reason: 'timeout', message: `did not finish within ${formatDuration(options.timeoutMs)}` }), options.timeoutMs);
    let graceTimer: NodeJS.Timeout | undefined;
    const onAbort = (): void => {
      post({ type: 'abort', reason: 'cancelled' });
      graceTimer = setTimeout(() => settle({ kind: 'failed', reason: 'cancelled', message: 'cancelled' }), options.cancelGraceMs ?? 2000);
    };
    signal?.addEventListener('abort', onAbort, { once: true });

    const post = (message: HostMessage): void => {
      if (!settled && child.connected) child.send(message, (err) => { if (err) settle({ kind: 'failed', reason: 'threw', message: `could not reach the plugin process: ${err.message}` }); });
    };

    for (const [stream, level] of [[child.stdout!, 'info'], [child.stderr!, 'warn']] as const) {
      createInterface({ input: stream }).on('line', (line) => {
        if (line.trim() && !settled) options.onLog?.({ level, message: line, fields: { stream: level === 'info' ? 'stdout' : 'stderr' } });
      });
    }

    child.on('message', (m: WorkerMessage) => {
      if (settled || !m || typeof m !== 'object') return;
      switch (m.type) {
        case 'described': settle({ kind: 'described', manifest: m.manifest, hooks: { compress: m.hooks?.compress === true, registerLayers: m.hooks?.registerLayers === true } }); break;
        case 'result':
          if (signal?.aborted) settle({ kind: 'failed', reason: 'cancelled', message: 'cancelled' });
          else settle({ kind: 'result', candidates: m.candidates, invalid: m.invalid });
          break;
        case 'failed':
          settle(signal?.aborted ? { kind: 'failed', reason: 'cancelled', message: 'cancelled' } : { kind: 'failed', reason: m.reason, message: String(m.message) });
          break;
        // The process runs plugin code: progress and logs are checked before they go further.
        case 'progress':
          if (m.update && typeof m.update === 'object' && Number.isFinite(m.update.step)) safely(() => options.onProgress?.(m.update));
          break;
        case 'log':
          if (LEVELS.has(m.level)) safely(() => options.onLog?.({ level: m.level, message: String(m.message).slice(0, 10_000), ...(m.fields && typeof m.fields === 'object' ? { fields: m.fields } : {}) }));
          break;
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
    child.once('close', (code, signalName) => {
      if (settled) return;
      const stderr = proc.stderrTail();
      if (/heap out of memory|Reached heap limit|Allocation failed/i.test(stderr)) {
        settle({ kind: 'failed', reason: 'out-of-memory', message: `exhausted its ${options.heapLimitMb} MB JavaScript heap` });
      } else if (signalName === 'SIGXCPU') {
        settle({ kind: 'failed', reason: 'timeout', message: 'used up its CPU-time limit' });
      } else {
        const why = signalName ? `worker was killed by ${signalName} before finishing` : `worker exited with code ${code} before finishing`;
        const last = /^\w*Error\b.*$/m.exec(stderr)?.[0];
        settle({ kind: 'failed', reason: 'threw', message: last && code !== 0 ? `${why}: ${last.slice(0, 300)}` : why });
      }
    });

    post({ type: 'start', job: { ...job, ...(job.job === 'invoke' ? { scratchDir: proc.scratchDir } : {}) } });

    function openIterator(id: number, split: string, batchSize: number, batchOptions?: { shuffleSeed?: number; limit?: number }): void {
      try {
        if (!data) throw new Error('this invocation has no dataset');
        if (split !== 'train' && split !== 'validation') throw new Error(`plugins may read the 'train' and 'validation' splits, not '${split}'`);
        if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`batchSize must be a positive integer, got ${batchSize}`);
        const clean = batchOptions && typeof batchOptions === 'object'
          ? { ...(typeof batchOptions.shuffleSeed === 'number' ? { shuffleSeed: batchOptions.shuffleSeed } : {}), ...(typeof batchOptions.limit === 'number' ? { limit: batchOptions.limit } : {}) }
          : undefined;
        const it = data.batches(split, batchSize, clean)[Symbol.asyncIterator]();
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
          post({ type: 'batch', iterator: id, batch: plainBatch(r.value) });
        } catch (err) {
          post({ type: 'batch', iterator: id, error: `reading data failed: ${(err as Error).message.split('\n')[0]}` });
        }
      });
    }
  });
}

/** The batch's own fields only (a dataset may attach more). */
function plainBatch(batch: Batch): Batch {
  return { size: batch.size, y: batch.y, ...(batch.x ? { x: batch.x } : {}), ...(batch.texts ? { texts: batch.texts } : {}) };
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
