// The compression run, written once as a deterministic function over a tiny host interface.
// The Temporal workflow binds the host to proxyActivities; the embedded runner binds it to a
// durable journal in Postgres. Rules for this file (Temporal's workflow rules): no I/O, no clocks,
// no randomness, no Node imports — only calls through `host`. Changing the ORDER or NAMES of the
// calls breaks replay of runs in flight: guard such a change with `host.patched('<id>')`.
import type { ActivityInput, ActivityName, ActivityOutput } from './activity-contract.ts';
import type { CandidateOutcome, HardwareClass, RunFinalStatus, RunInput, RunResult, RunStatusSnapshot } from './types.ts';

export interface CallOptions {
  /** Hardware class for activities that go to a per-hardware task queue. */
  hardware: HardwareClass;
}

export interface OrchestrationHost {
  call<N extends ActivityName>(name: N, input: ActivityInput<N>, options: CallOptions): Promise<ActivityOutput<N>>;
  /** True when `err` means "the run was cancelled" (not an activity failure). */
  isCancellation(err: unknown): boolean;
  /** Runs `fn` so that a pending cancellation does not interrupt it (cleanup after cancel). */
  nonCancellable<T>(fn: () => Promise<T>): Promise<T>;
  /** Publishes the status the status query returns. */
  setStatus(status: RunStatusSnapshot): void;
  /**
   * Temporal's patching: true when this code path is new for this run (new runs, or a run that
   * reached this point after the upgrade), false when replaying a run recorded before the patch.
   */
  patched(patchId: string): boolean;
  /** One-line failure description and its error type (the innermost cause's). */
  describeError(err: unknown): { type: string; message: string };
}

export async function runCompression(host: OrchestrationHost, input: RunInput): Promise<RunResult> {
  const ref = { orgId: input.orgId, runId: input.runId };
  const options: CallOptions = { hardware: input.hardwareClass ?? 'cpu' };
  const status: RunStatusSnapshot = {
    phase: 'validating',
    totalCandidates: 0,
    finishedCandidates: 0,
    failedCandidates: 0,
    currentCandidate: null,
    cancelRequested: false,
    status: 'running',
  };
  const publish = (patch: Partial<RunStatusSnapshot>) => {
    Object.assign(status, patch);
    host.setStatus({ ...status });
  };
  const stored: RunResult['candidates'] = [];
  const finish = async (final: RunFinalStatus, message?: string): Promise<RunResult> => {
    publish({ phase: 'finishing', currentCandidate: null, cancelRequested: final === 'cancelled' || status.cancelRequested });
    await host.call('finishRun', { ...ref, status: final, ...(message === undefined ? {} : { message }) }, options);
    publish({ phase: 'done', status: final });
    return { status: final, candidates: stored, ...(message === undefined ? {} : { message }) };
  };

  try {
    publish({});
    await host.call('validateInputs', ref, options);
    publish({ phase: 'baseline' });
    const baseline = await host.call('evaluateBaseline', ref, options);
    publish({ phase: 'planning' });
    const plan = await host.call('planCandidates', { ...ref, baseline }, options);
    publish({ phase: 'candidates', totalCandidates: plan.candidates.length });

    for (const candidate of plan.candidates) {
      publish({ currentCandidate: candidate.key });
      let outcome: CandidateOutcome;
      let stage: 'compress' | 'export' | 'evaluate' = 'compress';
      try {
        const compressed = await host.call('compressCandidate', { ...ref, candidate }, options);
        stage = 'export';
        const exported = await host.call('exportCandidate', { ...ref, candidate, compressed }, options);
        stage = 'evaluate';
        const evaluation = await host.call('evaluateCandidate', { ...ref, candidate, exported }, options);
        outcome = { ok: true, compressed, exported, evaluation };
      } catch (err) {
        if (host.isCancellation(err)) throw err;
        // One candidate failing (a plugin threw, ran out of memory, an unsupported layer) must not
        // fail the run: record why and carry on with the others.
        const { type, message } = host.describeError(err);
        outcome = { ok: false, stage, errorType: type, message };
      }
      const { candidateId } = await host.call('storeCandidate', { ...ref, candidate, outcome, baseline }, options);
      stored.push({ key: candidate.key, candidateId, ok: outcome.ok });
      publish({
        finishedCandidates: status.finishedCandidates + 1,
        failedCandidates: status.failedCandidates + (outcome.ok ? 0 : 1),
      });
    }
    const allFailed = stored.length > 0 && stored.every((c) => !c.ok);
    return await finish(allFailed ? 'failed' : 'succeeded', allFailed ? 'every candidate failed' : undefined);
  } catch (err) {
    if (host.isCancellation(err)) {
      status.cancelRequested = true;
      return host.nonCancellable(() => finish('cancelled', 'cancelled by request'));
    }
    const { message } = host.describeError(err);
    return finish('failed', message);
  }
}
