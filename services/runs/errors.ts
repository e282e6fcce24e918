// Errors the embedded runner's orchestration host throws into the orchestration.

/** The run was cancelled (the orchestration's isCancellation() is true for it). */
export class RunCancelledError extends Error {
  constructor(message = 'run cancelled') {
    super(message);
    this.name = 'CancelledError';
  }
}

/** An activity failed for good (non-retryable, or out of attempts). */
export class ActivityFailedError extends Error {
  constructor(
    readonly activity: string,
    readonly type: string,
    message: string,
  ) {
    super(message);
    this.name = 'ActivityFailedError';
  }
}

/**
 * Re-executing the orchestration asked for a different activity than the journal recorded at
 * this position: the orchestration code changed under a run in flight without patched().
 */
export class NondeterminismError extends Error {
  /** `where`: 'journal entry <seq>' for a call matched by position, 'call <id>' for a named one. */
  constructor(runId: string, where: string, recorded: string, requested: string) {
    super(`run ${runId}: ${where} recorded ${recorded} but the orchestration now calls ${requested}; guard the change with patched()`);
    this.name = 'NondeterminismError';
  }
}

/**
 * This process stops executing the run (lease lost or shutting down) and must record nothing
 * more: the run continues elsewhere or after a restart, from the journal.
 */
export class RunAbandonedError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'RunAbandonedError';
  }
}
