// Deliberately changed versions of the compression workflow, bundled by the replay tests to prove
// that the committed histories catch an orchestration change made without patched(). Each wraps
// the real Temporal host and alters the calls the shared orchestration makes.
import { runCompression, type OrchestrationHost } from '../../workflows/orchestration.ts';
import { temporalHost } from '../../workflows/compression-run.ts';
import type { RunInput, RunResult } from '../../workflows/types.ts';

function wrap(alter: (host: OrchestrationHost) => OrchestrationHost['call']): OrchestrationHost {
  const host = temporalHost();
  return { ...host, call: alter(host) };
}

/** Evaluates the baseline before validating (two activities swapped). */
export async function compressionRunReordered(input: RunInput): Promise<RunResult> {
  const swap: Record<string, string> = { validateInputs: 'evaluateBaseline', evaluateBaseline: 'validateInputs' };
  return runCompression(wrap((h) => (name, args, o) => h.call((swap[name] ?? name) as never, args as never, o) as never), input);
}

/** Calls the storing activity by another name. */
export async function compressionRunRenamed(input: RunInput): Promise<RunResult> {
  return runCompression(
    wrap((h) => (name, args, o) => h.call((name === 'storeCandidate' ? 'saveCandidate' : name) as never, args as never, o) as never),
    input,
  );
}

/** Validates the inputs twice (an added activity, unguarded). */
export async function compressionRunExtraActivity(input: RunInput): Promise<RunResult> {
  return runCompression(
    wrap((h) => async (name, args, o) => {
      if (name === 'evaluateBaseline') await h.call('validateInputs', args as never, o);
      return h.call(name, args, o);
    }),
    input,
  );
}

/** The same added activity, guarded by patched(): old histories replay, new runs take the new path. */
export async function compressionRunPatchedExtra(input: RunInput): Promise<RunResult> {
  return runCompression(
    wrap((h) => async (name, args, o) => {
      if (name === 'evaluateBaseline' && h.patched('validate-twice')) await h.call('validateInputs', args as never, o);
      return h.call(name, args, o);
    }),
    input,
  );
}

/** Never calls finishRun (an activity removed). */
export async function compressionRunNoFinish(input: RunInput): Promise<RunResult> {
  return runCompression(
    wrap((h) => async (name, args, o) => (name === 'finishRun' ? ({ paretoCandidateIds: [] } as never) : h.call(name, args, o))),
    input,
  );
}

/** The step graph run one activity at a time (maxParallel forced to 1). */
export async function compressionRunOneAtATime(input: RunInput): Promise<RunResult> {
  return runCompression(temporalHost(), { ...input, maxParallel: 1 });
}

/** Starts ready work in plan order although the run took the critical-path patch. */
export async function compressionRunListOrder(input: RunInput): Promise<RunResult> {
  const host = temporalHost();
  return runCompression({ ...host, patched: (id) => (id === 'critical-path' ? false : host.patched(id)) }, input);
}
