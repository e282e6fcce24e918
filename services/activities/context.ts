// What an activity implementation sees of the engine running it. The same implementation runs
// under a Temporal worker (adapter: temporal-adapter.ts) and under the embedded runner.
import type { ActivityInput, ActivityName, ActivityOutput } from '../../workflows/activity-contract.ts';

export interface ActivityContext {
  /** Aborted when the run is cancelled or the attempt times out: long loops must pass it down. */
  signal: AbortSignal;
  /**
   * Reports liveness and, optionally, checkpoint details. A retried attempt receives the last
   * details as `heartbeatDetails` and resumes from them.
   */
  heartbeat(details?: unknown): void;
  /** Details from the previous attempt's last heartbeat (undefined on a first attempt). */
  heartbeatDetails: unknown;
  /** 1 on the first attempt. */
  attempt: number;
}

export type ActivityImplementation<N extends ActivityName> = (ctx: ActivityContext, input: ActivityInput<N>) => Promise<ActivityOutput<N>>;

export type ActivityImplementations = { [N in ActivityName]: ActivityImplementation<N> };

/**
 * An error the orchestration must not retry: bad input, a plugin that failed for good. `type` is
 * what Temporal sees as the ApplicationFailure type (listed in NON_RETRYABLE_ERROR_TYPES).
 */
export class NonRetryableError extends Error {
  readonly nonRetryable = true;
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
    this.name = type;
  }
}
