// The orchestration host of the embedded runner: every activity call is keyed by the run and a
// sequence number in the journal. Re-executing the orchestration after a restart returns the
// recorded results of finished calls instead of running them again (event sourcing, as Temporal
// does with its history); an activity that was running when the process died is attempted again
// with the heartbeat details it last stored, so it resumes from its checkpoint.
import { ACTIVITY_PROFILES, NON_RETRYABLE_ERROR_TYPES, type ActivityName } from '../../workflows/activity-contract.ts';
import type { OrchestrationHost } from '../../workflows/orchestration.ts';
import type { RunStatusSnapshot } from '../../workflows/types.ts';
import type { ActivityContext, ActivityImplementations } from '../activities/context.ts';
import { ActivityFailedError, NondeterminismError, RunAbandonedError, RunCancelledError } from './errors.ts';
import { LeaseLostError, type JournalEntry, type RunJournal } from './journal.ts';

export interface JournalHostOptions {
  /** Minimum interval between heartbeat-detail writes (ms). */
  heartbeatFlushMs: number;
  /** Multiplies retry back-off intervals (tests shrink them). */
  retryIntervalScale: number;
  onStatus?: (status: RunStatusSnapshot) => void;
}

function errorTypeOf(err: unknown): string {
  if (!(err instanceof Error)) return 'Error';
  const type: unknown = (err as unknown as { type?: unknown }).type;
  return typeof type === 'string' && type !== '' ? type : err.name;
}

function isNonRetryable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  return (err as { nonRetryable?: unknown }).nonRetryable === true || (NON_RETRYABLE_ERROR_TYPES as readonly string[]).includes(errorTypeOf(err));
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
  });

export class JournalHost {
  private seq = 0;
  /** Highest seq recorded or handed out: named calls take new seqs above it. */
  private highSeq = 0;
  private readonly recorded = new Map<number, JournalEntry>();
  /** Recorded calls that carry a name (CallOptions.id), by name. */
  private readonly named = new Map<string, JournalEntry>();
  private cancelRequested: boolean;
  private nonCancellableDepth = 0;
  private abandoned: RunAbandonedError | null = null;
  /** Set once replay diverged from the journal: nothing may execute or be recorded after it. */
  private diverged: NondeterminismError | null = null;
  /** Aborted on cancellation: activities outside nonCancellable() run under it. */
  private readonly cancelController = new AbortController();
  /** Aborted when this process gives the run up: every activity runs under it. */
  private readonly abandonController = new AbortController();
  private pendingWrite: Promise<void> = Promise.resolve();

  constructor(
    private readonly runId: string,
    private readonly journal: RunJournal,
    entries: JournalEntry[],
    private readonly activities: ActivityImplementations,
    cancelRequested: boolean,
    private readonly options: JournalHostOptions,
  ) {
    for (const e of entries) {
      this.recorded.set(e.seq, e);
      if (e.callId) this.named.set(e.callId, e);
      this.highSeq = Math.max(this.highSeq, e.seq);
    }
    this.cancelRequested = cancelRequested;
    if (cancelRequested) this.cancelController.abort(new RunCancelledError());
  }

  requestCancel(): void {
    if (this.cancelRequested) return;
    this.cancelRequested = true;
    this.cancelController.abort(new RunCancelledError());
  }

  /** Stop executing: the current activity is aborted and nothing more is recorded. */
  abandon(reason: string): void {
    if (this.abandoned) return;
    this.abandoned = new RunAbandonedError(reason);
    this.abandonController.abort(this.abandoned);
  }

  get isAbandoned(): boolean {
    return this.abandoned !== null;
  }

  readonly host: OrchestrationHost = {
    call: (name, input, options) => (options?.id === undefined ? this.call(name, input) : this.callNamed(name, input, options.id)) as never,
    isCancellation: (err) => err instanceof RunCancelledError,
    nonCancellable: async (fn) => {
      this.nonCancellableDepth += 1;
      try {
        return await fn();
      } finally {
        this.nonCancellableDepth -= 1;
      }
    },
    setStatus: (status) => this.options.onStatus?.(status),
    describeError: (err) => {
      if (err instanceof ActivityFailedError) return { type: err.type, message: err.message };
      if (err instanceof Error) return { type: err.name, message: err.message };
      return { type: 'Error', message: String(err) };
    },
    patched: (patchId) => {
      const next = this.recorded.get(this.seq + 1);
      if (next) {
        if (next.kind !== 'patch' || next.name !== patchId) return false;
        this.seq += 1;
        return true;
      }
      this.seq += 1;
      this.highSeq = Math.max(this.highSeq, this.seq);
      const seq = this.seq;
      this.queueWrite(() => this.journal.write(this.runId, { seq, kind: 'patch', name: patchId, status: 'completed', attempt: 0, result: null, failure: null }));
      return true;
    },
  };

  private queueWrite(write: () => Promise<void>): void {
    this.pendingWrite = this.pendingWrite.then(write);
  }

  get nondeterminism(): NondeterminismError | null {
    return this.diverged;
  }

  private guard(err?: unknown): void {
    if (this.abandoned) throw this.abandoned;
    if (this.diverged) throw this.diverged;
    if (err instanceof LeaseLostError) {
      this.abandon(err.message);
      throw this.abandoned;
    }
  }

  private async call(name: ActivityName, input: unknown): Promise<unknown> {
    this.guard();
    await this.pendingWrite.catch((err: unknown) => this.guard(err));
    this.seq += 1;
    this.highSeq = Math.max(this.highSeq, this.seq);
    const seq = this.seq;
    const recorded = this.recorded.get(seq);
    return this.resolve(seq, name, input, recorded, `journal entry ${seq}`, null);
  }

  /**
   * A named call (CallOptions.id): matched with its record by name, not by position, since
   * concurrent calls may start in another order when the orchestration is re-executed. A new one
   * takes the next free seq at once, before any await, so concurrent calls never share one.
   */
  private async callNamed(name: ActivityName, input: unknown, callId: string): Promise<unknown> {
    this.guard();
    const recorded = this.named.get(callId);
    let seq: number;
    if (recorded) seq = recorded.seq;
    else {
      this.highSeq += 1;
      seq = this.highSeq;
      this.named.set(callId, { seq, kind: 'activity', name, status: 'started', attempt: 0, result: null, failure: null, heartbeatDetails: undefined, callId });
    }
    await this.pendingWrite.catch((err: unknown) => this.guard(err));
    return this.resolve(seq, name, input, recorded, `call ${callId}`, callId);
  }

  private async resolve(seq: number, name: ActivityName, input: unknown, recorded: JournalEntry | undefined, where: string, callId: string | null): Promise<unknown> {
    if (recorded) {
      if (recorded.kind !== 'activity' || recorded.name !== name) {
        // Like a Temporal workflow task failing on nondeterminism: stop here, run nothing more.
        this.diverged = new NondeterminismError(this.runId, where, `${recorded.kind} ${recorded.name}`, `activity ${name}`);
        throw this.diverged;
      }
      if (recorded.status === 'completed') return recorded.result;
      if (recorded.status === 'failed') {
        const f = recorded.failure ?? { type: 'Error', message: 'failed' };
        throw f.cancelled ? new RunCancelledError(f.message) : new ActivityFailedError(name, f.type, f.message);
      }
    }
    const cancellable = this.nonCancellableDepth === 0;
    if (cancellable && this.cancelRequested) {
      // Like Temporal: a cancelled scope schedules nothing new. An activity caught mid-flight by
      // a crash and a cancel is closed as cancelled so a replay sees the same outcome.
      if (recorded) await this.record(seq, name, 'failed', recorded.attempt, null, { type: 'CancelledError', message: 'run cancelled', cancelled: true }, callId);
      throw new RunCancelledError();
    }
    return this.execute(seq, name, input, recorded, cancellable, callId);
  }

  private async record(seq: number, name: string, status: JournalEntry['status'], attempt: number, result: unknown, failure: JournalEntry['failure'], callId: string | null): Promise<void> {
    this.guard();
    try {
      await this.journal.write(this.runId, { seq, kind: 'activity', name, status, attempt, result, failure, callId });
    } catch (err) {
      this.guard(err);
      throw err;
    }
  }

  private async execute(seq: number, name: ActivityName, input: unknown, resumed: JournalEntry | undefined, cancellable: boolean, callId: string | null): Promise<unknown> {
    const profile = ACTIVITY_PROFILES[name];
    const impl = this.activities[name] as (ctx: ActivityContext, input: unknown) => Promise<unknown>;
    let attempt = resumed?.attempt ?? 0;
    let details: unknown = resumed?.heartbeatDetails;
    for (;;) {
      if (cancellable && this.cancelRequested) {
        await this.record(seq, name, 'failed', attempt, null, { type: 'CancelledError', message: 'run cancelled', cancelled: true }, callId);
        throw new RunCancelledError();
      }
      attempt += 1;
      await this.record(seq, name, 'started', attempt, null, null, callId);
      const attemptController = new AbortController();
      const signals = [this.abandonController.signal, attemptController.signal];
      if (cancellable) signals.push(this.cancelController.signal);
      const signal = AbortSignal.any(signals);
      const timeout = setTimeout(() => attemptController.abort(Object.assign(new Error(`${name} exceeded its ${profile.startToCloseMs} ms start-to-close timeout`), { name: 'StartToCloseTimeout' })), profile.startToCloseMs);
      let latest = details;
      let lastFlush = 0;
      let flushing: Promise<void> = Promise.resolve();
      const flush = () => {
        lastFlush = Date.now();
        const snapshot = latest;
        flushing = flushing.then(() => this.journal.saveHeartbeat(this.runId, seq, snapshot)).catch((err: unknown) => {
          if (err instanceof LeaseLostError) this.abandon(err.message);
        });
      };
      const ctx: ActivityContext = {
        signal,
        attempt,
        heartbeatDetails: details,
        heartbeat: (d) => {
          if (d === undefined) return;
          latest = d;
          if (Date.now() - lastFlush >= this.options.heartbeatFlushMs) flush();
        },
      };
      try {
        // Abort wins over an activity that does not watch its signal.
        const result = await Promise.race([
          impl(ctx, input),
          new Promise<never>((_, reject) => signal.addEventListener('abort', () => reject(signal.reason), { once: true })),
        ]);
        clearTimeout(timeout);
        await flushing;
        await this.record(seq, name, 'completed', attempt, result, null, callId);
        return result;
      } catch (err) {
        clearTimeout(timeout);
        if (latest !== details && !this.abandoned) flush();
        await flushing;
        this.guard(err);
        if (cancellable && this.cancelRequested) {
          await this.record(seq, name, 'failed', attempt, null, { type: 'CancelledError', message: 'run cancelled', cancelled: true }, callId);
          throw new RunCancelledError();
        }
        const type = errorTypeOf(err);
        const message = err instanceof Error ? err.message : String(err);
        if (isNonRetryable(err) || attempt >= profile.retry.maximumAttempts) {
          await this.record(seq, name, 'failed', attempt, null, { type, message }, callId);
          throw new ActivityFailedError(name, type, message);
        }
        details = latest;
        const backoff = Math.min(profile.retry.initialIntervalMs * profile.retry.backoffCoefficient ** (attempt - 1), profile.retry.maximumIntervalMs);
        await sleep(backoff * this.options.retryIntervalScale, AbortSignal.any(cancellable ? [this.abandonController.signal, this.cancelController.signal] : [this.abandonController.signal]));
        this.guard();
      }
    }
  }
}
