// The embedded runner (default when TEMPORAL_ADDRESS is unset): executes the same orchestration
// and the same activities as the Temporal worker, in this process, with its state in Postgres.
// A lease (owner + expiry, claimed with FOR UPDATE SKIP LOCKED) makes sure two processes on one
// database never execute one run at the same time; a process that dies leaves its lease to
// expire and the next claimant re-executes the orchestration from the journal. It serves one
// machine; Temporal is how Condense scales out (docs/orchestration.md).
import { randomUUID } from 'node:crypto';
import { availableParallelism, hostname } from 'node:os';
import type { Kysely } from 'kysely';
import { runCompression } from '../../workflows/orchestration.ts';
import type { RunInput, RunResult, RunStatusSnapshot } from '../../workflows/types.ts';
import type { ActivityImplementations } from '../activities/context.ts';
import type { DB } from '../db/types/index.ts';
import { RunAbandonedError } from './errors.ts';
import { JournalHost } from './journal-host.ts';
import { RunJournal } from './journal.ts';
import type { RunLauncher, StartOptions } from './launcher.ts';

export const COMPRESSION_WORKFLOW = 'compressionRun';

export interface EmbeddedRunnerOptions {
  db: Kysely<DB>;
  activities: ActivityImplementations;
  /** Unique per process; default host:pid:random. */
  ownerId?: string;
  /** How long a claim lasts without renewal (ms, default 30 s); renewed every third of it. */
  leaseMs?: number;
  /** How often to look for runs to claim (ms, default 1 s). */
  pollMs?: number;
  /** Minimum interval between heartbeat-detail writes (ms, default 1 s). */
  heartbeatFlushMs?: number;
  /** Multiplies retry back-off (tests shrink it; default 1). */
  retryIntervalScale?: number;
  /** Runs executed at once by this process (default 1: one run's steps fill the workers). */
  concurrency?: number;
  /** Activities of a run executed at once — its ready plan steps train in parallel, each plugin
   * call in its own sandboxed process (default: the machine's cores; `condense` passes
   * CONDENSE_WORKERS). Recorded in the run's input, so a resumed run keeps it. */
  workers?: number;
  /** Training activities' hardware class (default cpu). */
  hardwareClass?: RunInput['hardwareClass'];
  /** Where the runner reports problems that have no caller to return to. */
  log?: (message: string) => void;
}

export class EmbeddedRunner implements RunLauncher {
  readonly journal: RunJournal;
  private readonly active = new Map<string, { host?: JournalHost; done: Promise<void> }>();
  private readonly statuses = new Map<string, RunStatusSnapshot>();
  private running = false;
  private loop: Promise<void> | null = null;
  private wakeUp: (() => void) | null = null;
  private readonly leaseMs: number;
  private readonly pollMs: number;

  constructor(private readonly options: EmbeddedRunnerOptions) {
    this.leaseMs = options.leaseMs ?? 30_000;
    this.pollMs = options.pollMs ?? 1000;
    this.journal = new RunJournal(options.db, options.ownerId ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`, this.leaseMs);
  }

  get ownerId(): string {
    return this.journal.owner;
  }

  async start(orgId: string, runId: string, options: StartOptions = {}): Promise<void> {
    const input: RunInput = {
      orgId,
      runId,
      hardwareClass: options.hardwareClass ?? this.options.hardwareClass ?? 'cpu',
      maxParallel: Math.max(1, this.options.workers ?? availableParallelism()),
      // Exporting and measuring run on this process's own thread, beside the steps' processes.
      maxMeasuring: 1,
    };
    await this.journal.enqueue(runId, COMPRESSION_WORKFLOW, input);
    this.wakeUp?.();
  }

  async cancel(_orgId: string, runId: string): Promise<void> {
    await this.journal.requestCancel(runId);
    // Same process: reach the training loop now rather than at the next lease renewal.
    this.active.get(runId)?.host?.requestCancel();
  }

  /** What the run's orchestration last reported (runs executing in this process). */
  status(runId: string): RunStatusSnapshot | undefined {
    return this.statuses.get(runId);
  }

  /** Starts claiming and executing runs in the background. */
  run(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.claimLoop();
  }

  /**
   * Stops claiming; runs in flight are abandoned (their current activity aborted, nothing more
   * recorded) and their leases released, so a restart or another process continues them.
   */
  async stop(): Promise<void> {
    this.running = false;
    this.wakeUp?.();
    for (const { host } of this.active.values()) host?.abandon('runner shutting down');
    await Promise.allSettled([...this.active.values()].map((a) => a.done));
    await this.loop;
  }

  /** Resolves when the run reached a final state (in any process). */
  async waitFor(runId: string, timeoutMs = 10 * 60_000): Promise<RunResult> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const state = await this.journal.runState(runId);
      if (!state) throw new Error(`run ${runId} is not known to the runner`);
      if (state.state === 'completed') return state.result as RunResult;
      if (state.state === 'failed') return { status: 'failed', candidates: [], message: state.error ?? 'run failed' };
      if (Date.now() > deadline) throw new Error(`run ${runId} did not finish within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, Math.min(this.pollMs, 250)));
    }
  }

  private async claimLoop(): Promise<void> {
    while (this.running) {
      let claimed = false;
      if (this.active.size < (this.options.concurrency ?? 1)) {
        try {
          const run = await this.journal.claimNext();
          if (run) {
            claimed = true;
            this.execute(run.runId, run.input as RunInput, run.cancelRequested);
          }
        } catch (err) {
          this.options.log?.(`runner: claiming a run failed: ${(err as Error).message}`);
        }
      }
      if (!claimed && this.running) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, this.pollMs);
          this.wakeUp = () => (clearTimeout(timer), resolve());
        });
        this.wakeUp = null;
      }
    }
  }

  private execute(runId: string, input: RunInput, cancelRequested: boolean): void {
    const slot: { host?: JournalHost; done: Promise<void> } = { done: Promise.resolve() };
    this.active.set(runId, slot);
    slot.done = (async () => {
      const entries = await this.journal.entries(runId);
      const host = new JournalHost(runId, this.journal, entries, this.options.activities, cancelRequested, {
        heartbeatFlushMs: this.options.heartbeatFlushMs ?? 1000,
        retryIntervalScale: this.options.retryIntervalScale ?? 1,
        onStatus: (s) => this.statuses.set(runId, s),
      });
      slot.host = host;
      if (!this.running) host.abandon('runner shutting down');
      const renewal = setInterval(() => {
        this.journal.renew(runId).then(
          ({ cancelRequested: cancel }) => cancel && host.requestCancel(),
          (err: unknown) => host.abandon((err as Error).message),
        );
      }, Math.max(50, Math.floor(this.leaseMs / 3)));
      try {
        const result = await runCompression(host.host, input);
        if (host.isAbandoned) throw new RunAbandonedError('abandoned');
        if (host.nondeterminism) throw host.nondeterminism;
        await this.journal.finish(runId, { state: 'completed', result });
      } catch (err) {
        if (err instanceof RunAbandonedError || host.isAbandoned) {
          await this.journal.release(runId).catch(() => undefined);
        } else {
          const message = err instanceof Error ? err.message : String(err);
          this.options.log?.(`runner: run ${runId} failed: ${message}`);
          await this.journal.finish(runId, { state: 'failed', error: message }).catch(() => undefined);
        }
      } finally {
        clearInterval(renewal);
        this.active.delete(runId);
        this.wakeUp?.();
      }
    })();
    slot.done.catch((err: unknown) => {
      this.active.delete(runId);
      this.options.log?.(`runner: run ${runId}: ${(err as Error).message}`);
    });
  }
}
