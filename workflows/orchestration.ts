// The compression run, written once as a deterministic function over a tiny host interface.
// The Temporal workflow binds the host to proxyActivities; the embedded runner binds it to a
// durable journal in Postgres. Rules for this file (Temporal's workflow rules): no I/O, no clocks,
// no randomness, no Node imports — only calls through `host`. Changing the ORDER or NAMES of the
// calls breaks replay of runs in flight: guard such a change with `host.patched('<id>')`.
import type { ActivityInput, ActivityName, ActivityOutput } from './activity-contract.ts';
import { criticalPathPriorities, runBounded, type BoundedTask } from './bounded.ts';
import { stepGraph } from './step-graph.ts';
import type {
  BaselineMetrics, CandidateOutcome, CompressedModel, HardwareClass, Plan, PlannedCandidate, RunFinalStatus, RunInput, RunResult,
  RunStatusSnapshot, StepOutputRef,
} from './types.ts';

export interface CallOptions {
  /** Hardware class for activities that go to a per-hardware task queue. */
  hardware: HardwareClass;
  /**
   * Names the call independently of when it is made (e.g. 'runStep:s2'). Calls made concurrently
   * carry one, so a host that records calls (the embedded runner's journal) finds a call's record
   * whatever order concurrent calls happen to start in. Temporal ignores it (its history already
   * orders everything).
   */
  id?: string;
}

/** Patch id of the step-graph orchestration (runs recorded before it replay the sequential one). */
export const PARALLEL_STEPS_PATCH = 'parallel-steps';
/** Patch id of critical-path-first starts (runs recorded before it replay list-order starts). */
export const CRITICAL_PATH_PATCH = 'critical-path';

/**
 * What a step is expected to cost, in rough seconds, from its config alone (the orchestration
 * cannot look at models or data): a budgeted step says so (`budgetSeconds`), a step that trains
 * by epochs costs EPOCH_COST per epoch, anything else (a post-training quantization check, an
 * export) STEP_COST. Only the order these numbers give matters: which chains are long.
 */
export const EPOCH_COST = 10;
export const STEP_COST = 2;
/** Exporting, measuring and storing one candidate. */
export const CANDIDATE_COST = 1;

export function stepCost(config: Record<string, unknown>): number {
  const budget = config.budgetSeconds;
  if (typeof budget === 'number' && budget > 0) return budget;
  const epochs = config.epochs;
  if (typeof epochs === 'number' && epochs > 0) return epochs * EPOCH_COST;
  return STEP_COST;
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
  // `id` is set once the run took the step-graph path (its calls are named, see CallOptions.id).
  let finishId: string | undefined;
  const finish = async (final: RunFinalStatus, message?: string, id = finishId): Promise<RunResult> => {
    publish({ phase: 'finishing', currentCandidate: null, cancelRequested: final === 'cancelled' || status.cancelRequested });
    await host.call('finishRun', { ...ref, status: final, ...(message === undefined ? {} : { message }) }, id === undefined ? options : { ...options, id });
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

    if (host.patched(PARALLEL_STEPS_PATCH)) {
      finishId = 'finishRun';
      const outcomes = await runStepGraph(host, {
        ...ref, baseline, plan, options, maxParallel: input.maxParallel ?? 1, ...(input.maxMeasuring ? { maxMeasuring: input.maxMeasuring } : {}), status, publish,
      });
      stored.push(...outcomes);
      const allFailed = stored.length > 0 && stored.every((c) => !c.ok);
      return await finish(allFailed ? 'failed' : 'succeeded', allFailed ? 'every candidate failed' : undefined, 'finishRun');
    }

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

interface GraphRun {
  orgId: string;
  runId: string;
  baseline: BaselineMetrics;
  plan: Plan;
  options: CallOptions;
  maxParallel: number;
  maxMeasuring?: number;
  status: RunStatusSnapshot;
  publish: (patch: Partial<RunStatusSnapshot>) => void;
}

type StepState = { ok: true; outputs: StepOutputRef[] } | { ok: false; errorType: string; message: string };

/**
 * The plan as a step graph (step-graph.ts): every distinct step runs once, as soon as its input
 * exists, and each candidate is exported, evaluated and stored once its last step is done — at
 * most `maxParallel` activities at a time (bounded.ts). A failed step fails the candidates that
 * need it, not the run. Returns the stored candidates in plan order.
 */
async function runStepGraph(host: OrchestrationHost, run: GraphRun): Promise<RunResult['candidates']> {
  const ref = { orgId: run.orgId, runId: run.runId };
  const graph = stepGraph(run.plan);
  const results = new Map<string, StepState>();
  const stored = new Map<string, RunResult['candidates'][number]>();
  const call = <N extends ActivityName>(name: N, id: string, input: ActivityInput<N>) => host.call(name, input, { ...run.options, id: `${name}:${id}` });
  const failure = (err: unknown): { errorType: string; message: string } => {
    if (host.isCancellation(err)) throw err;
    const { type, message } = host.describeError(err);
    return { errorType: type, message };
  };
  const picked = (stepId: string, pick: string | undefined): StepOutputRef | { errorType: string; message: string } => {
    const state = results.get(stepId)!;
    if (!state.ok) return state;
    const chosen = pick === undefined ? state.outputs[0] : state.outputs.find((o) => o.name === pick);
    if (chosen) return chosen;
    const step = graph.steps.find((s) => s.id === stepId)!;
    return { errorType: 'PluginFailure', message: `plugin "${step.plugin}" returned no candidate${pick === undefined ? '' : ` named "${pick}"`} (got: ${state.outputs.map((o) => o.name).join(', ') || 'none'})` };
  };

  const stepTasks: BoundedTask[] = graph.steps.map((step) => ({
    id: step.id,
    after: step.parent ? [step.parent.id] : [],
    run: async () => {
      let inputSha256: string | null = null;
      if (step.parent) {
        const input = picked(step.parent.id, step.parent.pick);
        if (!('modelSha256' in input)) {
          results.set(step.id, { ok: false, ...input });
          return;
        }
        inputSha256 = input.modelSha256;
      }
      try {
        const result = await call('runStep', step.id, { ...ref, step: { id: step.id, plugin: step.plugin, config: step.config, inputSha256 }, candidates: step.candidates, root: step.parent === null });
        results.set(step.id, { ok: true, outputs: result.outputs });
      } catch (err) {
        results.set(step.id, { ok: false, ...failure(err) });
      }
    },
  }));

  const compose = (c: { candidate: PlannedCandidate; steps: string[] }): CompressedModel | { errorType: string; message: string } => {
    const notes: string[] = [];
    let quantization: CompressedModel['quantization'];
    let modelSha256 = '';
    // Learned ranges belong to the model they were learned on: only the last step's count.
    let activationRanges: CompressedModel['activationRanges'];
    for (const [i, stepId] of c.steps.entries()) {
      const chosen = picked(stepId, c.candidate.chain[i]!.pick);
      if (!('modelSha256' in chosen)) return chosen;
      notes.push(`${c.candidate.chain[i]!.plugin}: ${chosen.notes ?? chosen.name}`);
      quantization = chosen.exportHints?.quantization ?? quantization;
      activationRanges = chosen.exportHints?.activationRanges;
      modelSha256 = chosen.modelSha256;
    }
    return { modelSha256, notes, ...(quantization ? { quantization } : {}), ...(activationRanges ? { activationRanges } : {}) };
  };

  const candidateTasks: BoundedTask[] = graph.candidates.map((c) => ({
    id: `candidate:${c.candidate.key}`,
    after: c.steps.length > 0 ? [c.steps.at(-1)!] : [],
    run: async () => {
      const { candidate } = c;
      const key = candidate.key;
      run.publish({ currentCandidate: key });
      let outcome: CandidateOutcome;
      let stage: 'compress' | 'export' | 'evaluate' = 'compress';
      try {
        // A chain without steps hands the uploaded model over as it is (as a TF.js layers zip).
        const compressed = c.steps.length === 0 ? await call('compressCandidate', key, { ...ref, candidate }) : compose(c);
        if (!('modelSha256' in compressed)) {
          outcome = { ok: false, stage: 'compress', ...compressed };
        } else {
          stage = 'export';
          const exported = await call('exportCandidate', key, { ...ref, candidate, compressed });
          stage = 'evaluate';
          const evaluation = await call('evaluateCandidate', key, { ...ref, candidate, exported });
          outcome = { ok: true, compressed, exported, evaluation };
        }
      } catch (err) {
        outcome = { ok: false, stage, ...failure(err) };
      }
      const { candidateId } = await call('storeCandidate', key, { ...ref, candidate, outcome, baseline: run.baseline });
      stored.set(key, { key, candidateId, ok: outcome.ok });
      run.publish({
        finishedCandidates: run.status.finishedCandidates + 1,
        failedCandidates: run.status.failedCandidates + (outcome.ok ? 0 : 1),
      });
    },
  }));

  const tasks = [...stepTasks, ...candidateTasks];
  const lanes: Record<string, number> = {};
  if (host.patched(CRITICAL_PATH_PATCH)) {
    // Longest remaining chain first (bounded.ts); runs recorded before this start in list order.
    const costs = new Map<string, number>([
      ...graph.steps.map((s) => [s.id, stepCost(s.config)] as const),
      ...candidateTasks.map((t) => [t.id, CANDIDATE_COST] as const),
    ]);
    const priorities = criticalPathPriorities(tasks.map((t) => ({ id: t.id, after: t.after, cost: costs.get(t.id)! })));
    for (const t of tasks) t.priority = priorities.get(t.id)!;
    // Measuring beside training, where the launcher says it has room for it (RunInput.maxMeasuring).
    if (run.maxMeasuring) {
      lanes.measure = run.maxMeasuring;
      for (const t of candidateTasks) t.lane = 'measure';
    }
  }
  await runBounded(tasks, run.maxParallel, undefined, lanes);
  return run.plan.candidates.map((c) => stored.get(c.key)!);
}
