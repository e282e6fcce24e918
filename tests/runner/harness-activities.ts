// A small, deterministic activity set for testing the embedded runner's durability machinery
// (journal, leases, retries, checkpoints, cancellation) independently of the ML engine. Each
// execution is appended to a log (memory and optionally a file, for child processes) so tests can
// see exactly which activities ran, how often, and from which checkpoint.
import { appendFileSync } from 'node:fs';
import type { ActivityContext, ActivityImplementations } from '../../services/activities/context.ts';
import { NonRetryableError } from '../../services/activities/context.ts';
import type { CompressCheckpoint, PlannedCandidate } from '../../workflows/types.ts';

export interface HarnessOptions {
  candidates?: number;
  /** Steps of the compress activity and how long each takes. */
  steps?: number;
  stepMs?: number;
  /** Candidate key → its own step time, overriding `stepMs` (orders steps without racing the database). */
  stepMsByKey?: Record<string, number>;
  /** Candidate keys whose compression fails non-retryably. */
  failingCandidates?: string[];
  /** Candidate key → number of attempts that throw a retryable error before one succeeds. */
  flakyCandidates?: Record<string, number>;
  logFile?: string;
  /** The plan instead of `candidates` one-step chains (plugin 'harness', any configs). */
  plan?: PlannedCandidate[];
}

export interface HarnessLogEntry {
  activity: string;
  key?: string;
  attempt: number;
  resumedFrom?: number;
  event: 'start' | 'end' | 'aborted';
}

export function createHarnessActivities(options: HarnessOptions = {}) {
  const log: HarnessLogEntry[] = [];
  const record = (e: HarnessLogEntry) => {
    log.push(e);
    if (options.logFile) appendFileSync(options.logFile, `${JSON.stringify(e)}\n`);
  };
  const flakyLeft = new Map(Object.entries(options.flakyCandidates ?? {}));
  const steps = options.steps ?? 5;
  const stepMs = options.stepMs ?? 10;
  const simple = <T>(activity: string, fn: () => T) => async (ctx: ActivityContext) => {
    record({ activity, attempt: ctx.attempt, event: 'start' });
    const out = fn();
    record({ activity, attempt: ctx.attempt, event: 'end' });
    return out;
  };
  const planned: PlannedCandidate[] = options.plan ?? Array.from({ length: options.candidates ?? 2 }, (_, i) => ({
    key: `c${i}`,
    chain: [{ plugin: 'harness', config: { i } }],
    target: 'cpu-int8',
    quantization: 'int8',
  }));
  /** A training loop of `steps` checkpoints that resumes from the last one. */
  const train = async (activity: string, key: string, ctx: ActivityContext): Promise<string> => {
    const checkpoint = ctx.heartbeatDetails as CompressCheckpoint | undefined;
    let done = checkpoint?.completedSteps ?? 0;
    record({ activity, key, attempt: ctx.attempt, resumedFrom: done, event: 'start' });
    if (options.failingCandidates?.includes(key)) throw new NonRetryableError('PluginFailure', `plugin "harness" threw for ${key}`);
    const left = flakyLeft.get(key) ?? 0;
    while (done < steps) {
      if (ctx.signal.aborted) {
        record({ activity, key, attempt: ctx.attempt, event: 'aborted' });
        throw Object.assign(new Error('aborted'), { name: 'AbortError' });
      }
      await new Promise((r) => setTimeout(r, options.stepMsByKey?.[key] ?? stepMs));
      done += 1;
      ctx.heartbeat({ completedSteps: done, modelSha256: `model-${key}-${done}`, notes: [] } satisfies CompressCheckpoint);
      if (left > 0 && done >= Math.ceil(steps / 2)) {
        flakyLeft.set(key, left - 1);
        throw new Error(`transient failure in ${key}`);
      }
    }
    record({ activity, key, attempt: ctx.attempt, event: 'end' });
    return `model-${key}-${done}`;
  };
  const activities: ActivityImplementations = {
    validateInputs: simple('validateInputs', () => ({
      model: { format: 'harness', parameterCount: 10, inputShape: [4], outputShape: [2] },
      dataset: { format: 'harness', numClasses: 2, sampleCount: 8, inputShape: [4] },
      targets: ['cpu-int8'],
    })),
    evaluateBaseline: simple('evaluateBaseline', () => ({ accuracy: 0.5, parameterCount: 10, bytes: 1000, hostLatencyMs: null })),
    planCandidates: simple('planCandidates', () => ({ candidates: planned })),
    compressCandidate: async (ctx, { candidate }) => {
      const modelSha256 = await train('compressCandidate', candidate.key, ctx);
      return { modelSha256, notes: [`${steps} steps`] };
    },
    // The step graph's call: each harness chain is one step of its own, named by its candidate.
    runStep: async (ctx, { step, candidates }) => {
      const modelSha256 = await train('runStep', candidates[0] ?? step.id, ctx);
      return { key: `step-${step.id}`, outputs: [{ name: 'harness', modelSha256, notes: `${steps} steps` }], source: 'ran' as const };
    },
    exportCandidate: async (ctx, { candidate, compressed }) => {
      record({ activity: 'exportCandidate', key: candidate.key, attempt: ctx.attempt, event: 'start' });
      return {
        tfliteSha256: `tflite-${compressed.modelSha256}`,
        tfjsSha256: `tfjs-${compressed.modelSha256}`,
        bytes: 100,
        ops: ['FULLY_CONNECTED'],
        tensorTypes: ['INT8'],
        peakActivationBytes: 16,
        quantization: candidate.quantization,
      };
    },
    evaluateCandidate: async (ctx, { candidate }) => {
      record({ activity: 'evaluateCandidate', key: candidate.key, attempt: ctx.attempt, event: 'start' });
      return { accuracy: 0.5, hostLatencyMs: null, macs: 10, parameterCount: 10, fit: { fits: true, failures: [], estimatedLatencyMs: 1 } };
    },
    storeCandidate: async (ctx, { candidate, outcome }) => {
      record({ activity: 'storeCandidate', key: candidate.key, attempt: ctx.attempt, event: 'start' });
      return { candidateId: `${candidate.key}:${outcome.ok ? 'ok' : outcome.errorType}` };
    },
    finishRun: async (ctx, { status }) => {
      record({ activity: `finishRun:${status}`, attempt: ctx.attempt, event: 'start' });
      return { paretoCandidateIds: [] };
    },
  };
  return { activities, log };
}
