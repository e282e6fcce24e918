// Several API processes on one port (node:cluster) for a PostgreSQL database: the primary process
// forks `processes` workers, each runs its own createServer() (own pool, own Apollo, own caches)
// on the same address, and the primary hands incoming connections to them in turn. One Node
// thread turns a typical query around in about a millisecond of CPU, so a single process cannot
// use a second core; a database server, subscriptions and sign-outs already work across processes
// (LISTEN/NOTIFY, docs/api.md), so more processes are only more capacity.
//
// Runs are executed by the primary's launcher (embedded runner or Temporal client): a worker's
// startRun / cancelRun reach it over the cluster's IPC channel (`forwardingLauncher`).
// Embedded PGlite is one process by nature: `processes` must be 1 there (apiProcessesError).
import cluster, { type Worker } from 'node:cluster';
import type { RunLauncher } from './launcher.ts';

/** Messages between the primary and its API processes. */
type ToPrimary =
  | { condense: 'ready'; url: string }
  | { condense: 'run'; op: 'start' | 'cancel'; orgId: string; runId: string; options?: { hardwareClass?: 'cpu' | 'gpu' }; id: number }
  | { condense: 'answer'; id: number; value?: unknown; error?: string };
type ToWorker = { condense: 'ask'; id: number; what: string } | { condense: 'answer'; id: number; error?: string };

const isMessage = (m: unknown): m is { condense: string } => typeof m === 'object' && m !== null && typeof (m as { condense?: unknown }).condense === 'string';

/** Why `processes` API processes cannot serve this database, or null when they can. */
export function apiProcessesError(processes: number, databaseKind: 'pglite' | 'postgres'): string | null {
  if (processes > 1 && databaseKind === 'pglite') {
    return `CONDENSE_API_PROCESSES=${processes} needs a PostgreSQL database (DATABASE_URL): the embedded database belongs to one process`;
  }
  return null;
}

export interface ApiCluster {
  /** The URL the API processes listen on (all the same). */
  url: string;
  /** Process ids of the API processes. */
  pids(): number[];
  /** Asks every API process `what` (see serveApiProcess's `answers`) and collects the answers. */
  ask<T>(what: string): Promise<T[]>;
  /** Stops the API processes (each drains its requests and subscriptions) and waits for them. */
  close(): Promise<void>;
}

export interface ForkOptions {
  processes: number;
  /** Executes the runs the API processes start and cancel. */
  launcher: RunLauncher;
  log: (line: string) => void;
  /** Module the workers run (default: this process's main module, e.g. the CLI re-entered). */
  exec?: string;
  args?: string[];
  env?: Record<string, string>;
}

/** Forks the API processes and resolves once every one listens. */
export async function forkApiProcesses(options: ForkOptions): Promise<ApiCluster> {
  if (!cluster.isPrimary) throw new Error('forkApiProcesses runs in the primary process');
  if (options.exec) cluster.setupPrimary({ exec: options.exec, args: options.args ?? [] });
  const workers = new Set<Worker>();
  const pending = new Map<number, { answers: unknown[]; left: number; resolve: (v: unknown[]) => void; reject: (e: Error) => void }>();
  let nextId = 0;
  let stopping = false;
  let url = '';

  const onMessage = (worker: Worker, message: unknown, ready?: (url: string) => void) => {
    if (!isMessage(message)) return;
    const m = message as ToPrimary;
    if (m.condense === 'ready') ready?.(m.url);
    else if (m.condense === 'run') {
      const done = m.op === 'start' ? options.launcher.start(m.orgId, m.runId, m.options) : options.launcher.cancel(m.orgId, m.runId);
      done.then(
        () => worker.send({ condense: 'answer', id: m.id } satisfies ToWorker),
        (error: unknown) => worker.send({ condense: 'answer', id: m.id, error: (error as Error)?.message ?? String(error) } satisfies ToWorker),
      );
    } else if (m.condense === 'answer') {
      const ask = pending.get(m.id);
      if (!ask) return;
      if (m.error !== undefined) ask.reject(new Error(m.error));
      else ask.answers.push(m.value);
      if (--ask.left === 0) {
        pending.delete(m.id);
        ask.resolve(ask.answers);
      }
    }
  };

  const fork = (): Promise<string> =>
    new Promise((resolve, reject) => {
      const worker = cluster.fork({ ...options.env, CONDENSE_API_PROCESS: '1' });
      workers.add(worker);
      let listening = false;
      worker.on('message', (message: unknown) =>
        onMessage(worker, message, (u) => {
          listening = true;
          resolve(u);
        }),
      );
      worker.once('exit', (code, signal) => {
        workers.delete(worker);
        if (!listening) reject(new Error(`API process ${worker.process.pid} exited before listening (${signal ?? `code ${code}`})`));
        else if (!stopping) {
          // A crashed API process is replaced; its clients reconnect (subscriptions resume from their cursor).
          options.log(`API process ${worker.process.pid} exited (${signal ?? `code ${code}`}); starting another`);
          fork().catch((error: unknown) => options.log(`could not restart an API process: ${(error as Error).message}`));
        }
      });
    });

  try {
    url = (await Promise.all(Array.from({ length: options.processes }, fork)))[0]!;
  } catch (error) {
    stopping = true;
    for (const worker of workers) worker.kill();
    throw error;
  }
  return {
    url,
    pids: () => [...workers].map((w) => w.process.pid!).filter(Boolean),
    ask: <T>(what: string) =>
      new Promise<T[]>((resolve, reject) => {
        const id = ++nextId;
        pending.set(id, { answers: [], left: workers.size, resolve: resolve as (v: unknown[]) => void, reject });
        for (const worker of workers) worker.send({ condense: 'ask', id, what } satisfies ToWorker);
      }),
    close: async () => {
      stopping = true;
      await Promise.all(
        [...workers].map(
          (worker) =>
            new Promise<void>((resolve) => {
              if (worker.isDead()) return resolve();
              worker.once('exit', () => resolve());
              // SIGTERM rather than a message: a process still starting (a replacement) has no
              // message handler yet, and ends at once by default; a serving one drains first.
              worker.process.kill('SIGTERM');
            }),
        ),
      );
    },
  };
}

/** In an API process: a launcher that hands runs to the primary's. */
export function forwardingLauncher(): RunLauncher {
  let nextId = 0;
  const waiting = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  process.on('message', (message: unknown) => {
    if (!isMessage(message) || message.condense !== 'answer') return;
    const m = message as unknown as { id: number; error?: string };
    const w = waiting.get(m.id);
    if (!w) return;
    waiting.delete(m.id);
    if (m.error !== undefined) w.reject(new Error(m.error));
    else w.resolve();
  });
  const forward = (op: 'start' | 'cancel', orgId: string, runId: string, options?: { hardwareClass?: 'cpu' | 'gpu' }) =>
    new Promise<void>((resolve, reject) => {
      const id = ++nextId;
      waiting.set(id, { resolve, reject });
      process.send!({ condense: 'run', op, orgId, runId, options, id } satisfies ToPrimary);
    });
  return { start: (orgId, runId, options) => forward('start', orgId, runId, options), cancel: (orgId, runId) => forward('cancel', orgId, runId) };
}

/** Whether this process is an API process forked by forkApiProcesses. */
export const isApiProcess = (): boolean => cluster.isWorker && process.env.CONDENSE_API_PROCESS === '1';

/**
 * In an API process: tells the primary where it listens and answers its questions (`answers`,
 * e.g. statement counts for a benchmark); resolves once it was told to stop (SIGTERM, or the
 * primary gone) and `stop` has run. The process should exit then.
 */
export function serveApiProcess(url: string, stop: () => Promise<void>, answers: Record<string, () => unknown> = {}): Promise<void> {
  return new Promise((resolve, reject) => {
    let stopping = false;
    const shutdown = () => {
      if (stopping) return;
      stopping = true;
      stop().then(resolve, reject);
    };
    process.on('message', (message: unknown) => {
      if (!isMessage(message)) return;
      const m = message as ToWorker;
      if (m.condense === 'ask') {
        const answer = answers[m.what];
        process.send!(answer ? { condense: 'answer', id: m.id, value: answer() } : { condense: 'answer', id: m.id, error: `no answer for "${m.what}"` });
      }
    });
    process.once('SIGTERM', shutdown);
    // The primary going away (its IPC channel closes) stops this process too.
    process.once('disconnect', shutdown);
    // Ctrl-C reaches the whole process group: the primary stops the API processes in order.
    process.on('SIGINT', () => undefined);
    process.send!({ condense: 'ready', url } satisfies ToPrimary);
  });
}
