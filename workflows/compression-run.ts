// The Temporal workflow: binds the shared orchestration to proxyActivities. Runs in Temporal's
// deterministic sandbox, so it imports only @temporalio/workflow and our pure orchestration.
import {
  ActivityCancellationType,
  ApplicationFailure,
  CancellationScope,
  isCancellation,
  patched,
  proxyActivities,
  setHandler,
} from '@temporalio/workflow';
import {
  ACTIVITY_PROFILES,
  NON_RETRYABLE_ERROR_TYPES,
  taskQueueFor,
  type ActivityName,
} from './activity-contract.ts';
import { runCompression, type OrchestrationHost } from './orchestration.ts';
import { statusQuery } from './queries.ts';
import type { RunInput, RunResult, RunStatusSnapshot } from './types.ts';

type AnyActivity = (input: unknown) => Promise<unknown>;

function proxyFor(name: ActivityName, taskQueue: string): AnyActivity {
  const profile = ACTIVITY_PROFILES[name];
  const proxies = proxyActivities<Record<string, AnyActivity>>({
    taskQueue,
    startToCloseTimeout: profile.startToCloseMs,
    heartbeatTimeout: profile.heartbeatMs,
    // TRY_CANCEL: the workflow moves on at once; the activity learns of it on its next heartbeat
    // and its AbortSignal stops the training loop.
    cancellationType: ActivityCancellationType.TRY_CANCEL,
    retry: {
      maximumAttempts: profile.retry.maximumAttempts,
      initialInterval: profile.retry.initialIntervalMs,
      backoffCoefficient: profile.retry.backoffCoefficient,
      maximumInterval: profile.retry.maximumIntervalMs,
      nonRetryableErrorTypes: [...NON_RETRYABLE_ERROR_TYPES],
    },
  });
  return proxies[name]!;
}

function describe(err: unknown): { type: string; message: string } {
  // ActivityFailure wraps the activity's ApplicationFailure (which carries our error type): report
  // the first ApplicationFailure in the cause chain, else the innermost error.
  let current: unknown = err;
  while (current instanceof Error) {
    if (current instanceof ApplicationFailure) return { type: current.type ?? 'Error', message: current.message };
    if (!(current.cause instanceof Error)) break;
    current = current.cause;
  }
  if (current instanceof Error) return { type: current.name, message: current.message };
  return { type: 'Error', message: String(current) };
}

/** The orchestration host backed by Temporal; the status query answers with the latest status. */
export function temporalHost(): OrchestrationHost {
  let status: RunStatusSnapshot | null = null;
  setHandler(statusQuery, () => status);
  return {
    call: (name, activityInput, options) =>
      proxyFor(name, taskQueueFor(name, options.hardware))(activityInput) as never,
    isCancellation,
    nonCancellable: (fn) => CancellationScope.nonCancellable(fn),
    setStatus: (s) => {
      status = s;
    },
    describeError: describe,
    patched,
  };
}

export async function compressionRun(input: RunInput): Promise<RunResult> {
  return runCompression(temporalHost(), input);
}
