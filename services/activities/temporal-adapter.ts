// Exposes our activity implementations as Temporal activities: each gets an ActivityContext built
// from Temporal's Context (cancellation signal, heartbeat, heartbeat details of the last attempt),
// and errors become ApplicationFailures with the error's type, non-retryable where marked.
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { ACTIVITY_NAMES, NON_RETRYABLE_ERROR_TYPES } from '../../workflows/activity-contract.ts';
import type { ActivityContext, ActivityImplementations } from './context.ts';

/** Liveness heartbeats while an activity works between its own heartbeats (model loading, evaluation). */
const KEEPALIVE_MS = 10_000;

export function temporalContext(): ActivityContext & { stopKeepalive(): void } {
  const ctx = Context.current();
  // Heartbeat details are "last one wins" on the server, so the keepalive repeats the latest
  // checkpoint rather than erasing it. The heartbeat timeout still catches a dead worker; a hung
  // but living one is caught by startToClose.
  let latest: unknown = ctx.info.heartbeatDetails;
  const keepalive = setInterval(() => ctx.heartbeat(latest), KEEPALIVE_MS);
  return {
    signal: ctx.cancellationSignal,
    heartbeat: (details) => {
      if (details !== undefined) latest = details;
      ctx.heartbeat(latest);
    },
    heartbeatDetails: ctx.info.heartbeatDetails,
    attempt: ctx.info.attempt,
    stopKeepalive: () => clearInterval(keepalive),
  };
}

export function toApplicationFailure(err: unknown): unknown {
  if (!(err instanceof Error) || err instanceof ApplicationFailure) return err;
  // Cancellation must stay a cancellation so Temporal reports the activity as cancelled.
  if (err.name === 'CancelledFailure' || err.name === 'AbortError') return err;
  const nonRetryable = (err as { nonRetryable?: unknown }).nonRetryable === true || (NON_RETRYABLE_ERROR_TYPES as readonly string[]).includes(err.name);
  return ApplicationFailure.create({ type: err.name, message: err.message, nonRetryable, cause: err });
}

/** Temporal activity functions (one argument each) named as in the activity contract. */
export function temporalActivities(impls: ActivityImplementations): Record<string, (input: any) => Promise<any>> {
  const out: Record<string, (input: any) => Promise<any>> = {};
  for (const name of ACTIVITY_NAMES) {
    const impl = impls[name] as (ctx: ActivityContext, input: unknown) => Promise<unknown>;
    out[name] = async (input: unknown) => {
      const ctx = temporalContext();
      try {
        return await impl(ctx, input);
      } catch (err) {
        // Once Temporal cancelled the activity, report the cancellation (its CancelledFailure),
        // not the AbortError the training loop threw on the way out.
        if (ctx.signal.aborted && ctx.signal.reason instanceof Error) throw ctx.signal.reason;
        throw toApplicationFailure(err);
      } finally {
        ctx.stopKeepalive();
      }
    };
  }
  return out;
}
