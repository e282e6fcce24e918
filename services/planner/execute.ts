// executeChain: runs a candidate's technique chain through the plugin host, one plugin call per
// step, each on the previous step's model. Calls are cached by chain prefix, so candidates that
// share a prefix (the joint distillation call, the same pruning step for two targets) pay once.
import type { ProgressUpdate } from '@condense/plugin-sdk';
import type { Dataset } from '../engine/data/types.ts';
import type { PluginCandidate, PluginHost, SerializedModel } from '../plugins/index.ts';
import type { CandidatePlan, ChainStep, ExportQuantization } from './types.ts';

export interface StepRecord {
  plugin: string;
  /** The config the plugin ran with (defaults filled). */
  config: Record<string, unknown>;
  candidate: string;
  notes?: string;
  metrics?: Record<string, number>;
  durationMs: number;
  /** True when this step's call was shared with an earlier chain. */
  cached: boolean;
}

export type ChainOutcome =
  | {
    ok: true;
    model: SerializedModel;
    steps: StepRecord[];
    exportHints: { quantization?: ExportQuantization; qat?: boolean };
    /** Identifies the resulting model: equal for chains that made the same calls and picks. */
    modelKey: string;
  }
  | { ok: false; step: number; plugin: string; reason: string; message: string; steps: StepRecord[] };

interface CallResult {
  candidates: PluginCandidate[];
  config: Record<string, unknown>;
  failure?: { reason: string; message: string };
  durationMs: number;
}

/** Plugin calls already made, by chain prefix. Share one per run. */
export class ChainCache {
  private calls = new Map<string, Promise<CallResult>>();
  get(key: string): Promise<CallResult> | undefined {
    return this.calls.get(key);
  }
  set(key: string, value: Promise<CallResult>): void {
    this.calls.set(key, value);
  }
  get size(): number {
    return this.calls.size;
  }
}

export interface ExecuteContext {
  host: PluginHost;
  /** The model to compress (also the teacher unless `teacher` is given). */
  baseModel: SerializedModel;
  teacher?: SerializedModel;
  /** Training/validation data (the host never passes the test split to plugins). */
  data: Dataset;
  cache?: ChainCache;
  signal?: AbortSignal;
  onProgress?: (plan: CandidatePlan, step: number, update: ProgressUpdate) => void;
  /** Per-call limits passed to the host. */
  timeoutMs?: number;
  memoryLimitMb?: number;
}

const stepKey = (step: ChainStep): string => JSON.stringify([step.plugin, step.config]);

/** Applies `plan.chain` to the base model. Never throws for a plugin failure: returns it. */
export async function executeChain(plan: CandidatePlan, ctx: ExecuteContext): Promise<ChainOutcome> {
  const cache = ctx.cache ?? new ChainCache();
  let model = ctx.baseModel;
  let prefix = 'base';
  const steps: StepRecord[] = [];
  let exportHints: { quantization?: ExportQuantization; qat?: boolean } = {};
  for (const [i, step] of plan.chain.entries()) {
    const key = `${prefix}|${stepKey(step)}`;
    let pending = cache.get(key);
    const cached = pending !== undefined;
    if (!pending) {
      const input = model;
      pending = invoke(ctx, plan, i, step, input);
      cache.set(key, pending);
    }
    const result = await pending;
    if (result.failure) return { ok: false, step: i, plugin: step.plugin, reason: result.failure.reason, message: result.failure.message, steps };
    const chosen = step.pick ? result.candidates.find((c) => c.name === step.pick) : result.candidates[0];
    if (!chosen) {
      const names = result.candidates.map((c) => c.name).join(', ') || 'none';
      return { ok: false, step: i, plugin: step.plugin, reason: 'invalid-output', message: `returned no candidate${step.pick ? ` named "${step.pick}"` : ''} (got: ${names})`, steps };
    }
    steps.push({ plugin: step.plugin, config: result.config, candidate: chosen.name, ...(chosen.notes ? { notes: chosen.notes } : {}), ...(chosen.metrics ? { metrics: chosen.metrics } : {}), durationMs: result.durationMs, cached });
    if (chosen.exportHints) exportHints = { ...exportHints, ...chosen.exportHints };
    model = chosen.model;
    prefix = `${key}#${chosen.name}`;
  }
  return { ok: true, model, steps, exportHints, modelKey: prefix };
}

async function invoke(ctx: ExecuteContext, plan: CandidatePlan, index: number, step: ChainStep, model: SerializedModel): Promise<CallResult> {
  try {
    const result = await ctx.host.invoke(step.plugin, {
      model,
      teacher: ctx.teacher ?? ctx.baseModel,
      data: ctx.data,
      config: step.config,
      targets: [plan.target],
      ...(ctx.signal ? { signal: ctx.signal } : {}),
      ...(ctx.onProgress ? { onProgress: (u: ProgressUpdate) => ctx.onProgress!(plan, index, u) } : {}),
      ...(ctx.timeoutMs ? { timeoutMs: ctx.timeoutMs } : {}),
      ...(ctx.memoryLimitMb ? { memoryLimitMb: ctx.memoryLimitMb } : {}),
    });
    const failure = result.candidates.length === 0 ? result.failures[0] : undefined;
    return {
      candidates: result.candidates,
      config: result.config,
      durationMs: result.durationMs,
      ...(failure ? { failure: { reason: failure.reason, message: failure.message } } : result.candidates.length === 0 ? { failure: { reason: 'invalid-output', message: 'returned no candidates' } } : {}),
    };
  } catch (err) {
    // Caller mistakes the host refuses up front (unknown plugin, bad config): this chain fails.
    return { candidates: [], config: step.config, failure: { reason: 'refused', message: (err as Error).message }, durationMs: 0 };
  }
}
