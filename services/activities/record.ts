// storeCandidate and finishRun: write the results back through the API's runs-store functions
// (each appends the matching run event for live subscribers). Both are idempotent, so a retried
// or replayed call changes nothing twice.
import { withTenant } from '../db/tenant.ts';
import { finishRun as storeFinishRun, insertCandidate, markParetoFront, type CandidateRecord } from '../runs-store/index.ts';
import type { BaselineMetrics, CandidateOutcome, PlannedCandidate, RunFinalStatus, RunRef } from '../../workflows/types.ts';
import type { ActivityContext } from './context.ts';
import type { ActivityDeps } from './deps.ts';
import { chanceRejection, frontPool, paretoFront } from '../planner/select.ts';
import { exportLossRejection, isBrokenExport } from '../planner/export-fidelity.ts';
import { loadRun } from './inputs.ts';

export async function storeCandidate(
  deps: ActivityDeps,
  _ctx: ActivityContext,
  input: RunRef & { candidate: PlannedCandidate; outcome: CandidateOutcome; baseline: BaselineMetrics },
): Promise<{ candidateId: string }> {
  const { candidate, outcome, baseline } = input;
  const ref = { orgId: input.orgId, runId: input.runId };
  const base: Pick<CandidateRecord, 'key' | 'target' | 'chain'> = { key: candidate.key, target: candidate.target, chain: candidate.chain };
  let record: CandidateRecord;
  if (!outcome.ok) {
    record = { ...base, quantization: candidate.quantization, ok: false, failureStage: outcome.stage, failureMessage: outcome.message };
  } else {
    const { exported, evaluation, compressed } = outcome;
    const run = await loadRun(deps, ref);
    // The run's constraints are checked like target rules, so "fits" means "usable as asked".
    const failures = [...evaluation.fit.failures];
    const { numClasses } = run.dataset;
    const chance = numClasses >= 2 ? chanceRejection(evaluation.accuracy, 1 / numClasses) : undefined;
    if (chance) failures.push(chance);
    const broken = exportLossRejection(evaluation.accuracy, evaluation.sourceAccuracy);
    if (broken) failures.push(broken);
    const c = run.constraints;
    if (c.maxBytes != null && exported.bytes > c.maxBytes) failures.push({ rule: 'max-bytes', message: `${exported.bytes} bytes exceeds the run's limit of ${c.maxBytes}` });
    if (c.minAccuracy != null && evaluation.accuracy < c.minAccuracy) {
      failures.push({ rule: 'min-accuracy', message: `accuracy ${evaluation.accuracy.toFixed(4)} is below the run's minimum ${c.minAccuracy}` });
    }
    if (c.maxAccuracyDrop != null && baseline.accuracy - evaluation.accuracy > c.maxAccuracyDrop) {
      failures.push({ rule: 'max-accuracy-drop', message: `accuracy dropped ${(baseline.accuracy - evaluation.accuracy).toFixed(4)} from the base model's ${baseline.accuracy.toFixed(4)}, more than ${c.maxAccuracyDrop}` });
    }
    record = {
      ...base,
      quantization: exported.quantization,
      ok: true,
      accuracy: evaluation.accuracy,
      sourceAccuracy: evaluation.sourceAccuracy ?? null,
      bytes: exported.bytes,
      parameterCount: evaluation.parameterCount,
      estimatedLatencyMs: evaluation.fit.estimatedLatencyMs,
      hostLatencyMs: evaluation.hostLatencyMs,
      compressionRatio: exported.bytes > 0 ? baseline.bytes / exported.bytes : null,
      speedup: baseline.hostLatencyMs && evaluation.hostLatencyMs ? baseline.hostLatencyMs / evaluation.hostLatencyMs : null,
      fits: failures.length === 0,
      fitFailures: failures,
      tfliteSha256: exported.tfliteSha256,
      tfjsSha256: exported.tfjsSha256,
      notes: compressed.notes,
    };
  }
  const candidateId = await withTenant(deps.db, ref.orgId, (trx) => insertCandidate(trx, ref, record));
  return { candidateId };
}

export async function finishRun(
  deps: ActivityDeps,
  _ctx: ActivityContext,
  input: RunRef & { status: RunFinalStatus; message?: string },
): Promise<{ paretoCandidateIds: string[] }> {
  const ref = { orgId: input.orgId, runId: input.runId };
  return withTenant(deps.db, ref.orgId, async (trx) => {
    const rows = await trx
      .selectFrom('candidates')
      .select(['id', 'accuracy', 'bytes', 'estimated_latency_ms', 'fits', 'fit_failures'])
      .where('run_id', '=', ref.runId)
      .where('status', '=', 'succeeded')
      .execute();
    const { pool } = frontPool(
      rows,
      (r) => r.fits === true,
      (r) => (r.fit_failures as Array<{ rule: string }>).some((f) => f.rule === 'no-better-than-chance'),
      (r) => isBrokenExport(r.fit_failures as Array<{ rule: string }>),
    );
    const front = paretoFront(
      pool.map((r) => ({ id: r.id, accuracy: r.accuracy ?? 0, bytes: Number(r.bytes ?? Infinity), estimatedLatencyMs: r.estimated_latency_ms ?? Infinity })),
    ).map((p) => p.id);
    await markParetoFront(trx, ref, front);
    await storeFinishRun(trx, { ...ref, status: input.status, ...(input.message ? { message: input.message } : {}) });
    return { paretoCandidateIds: front };
  });
}
