// storeCandidate and finishRun: judge candidates with the planner's rules (services/planner/
// select.ts) and write the results back through the API's runs-store functions
// (each appends the matching run event for live subscribers). Both are idempotent, so a retried
// or replayed call changes nothing twice.
import { withTenant } from '../db/tenant.ts';
import { finishRun as storeFinishRun, insertCandidate, markParetoFront, type CandidateRecord } from '../runs-store/index.ts';
import type { BaselineMetrics, CandidateOutcome, PlannedCandidate, RunFinalStatus, RunRef } from '../../workflows/types.ts';
import type { ActivityContext } from './context.ts';
import type { ActivityDeps } from './deps.ts';
import { isBrokenExport, paretoPerTarget, rejectionReasons } from '../planner/select.ts';
import { constraintsOf } from '../planner/orchestration.ts';
import type { FitFailure } from '../targets/index.ts';
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
    // The planner's judge: the same rules and messages as every other path (constraints, target
    // fit, the chance rule), so "fits" means "usable as asked".
    const { numClasses } = run.dataset;
    const failures = rejectionReasons(
      {
        key: candidate.key, label: candidate.key, target: candidate.target, quantization: exported.quantization,
        accuracy: evaluation.accuracy, bytes: exported.bytes,
        ...(evaluation.sourceAccuracy === undefined ? {} : { sourceAccuracy: evaluation.sourceAccuracy }),
        ...(evaluation.fit.estimatedLatencyMs === null ? {} : { estimatedLatencyMs: evaluation.fit.estimatedLatencyMs }),
        fit: { fits: evaluation.fit.fits, failures: evaluation.fit.failures as FitFailure[] },
      },
      constraintsOf({ ...run.constraints }),
      { accuracy: baseline.accuracy, ...(numClasses >= 2 ? { chanceAccuracy: 1 / numClasses } : {}) },
    );
    record = {
      ...base,
      quantization: exported.quantization,
      ok: true,
      accuracy: evaluation.accuracy,
      sourceAccuracy: evaluation.sourceAccuracy ?? null,
      auc: evaluation.auc ?? null,
      bytes: exported.bytes,
      downloadBytes: evaluation.downloadBytes ?? null,
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
      .select(['id', 'target', 'accuracy', 'bytes', 'estimated_latency_ms', 'fits', 'fit_failures'])
      .where('run_id', '=', ref.runId)
      .where('status', '=', 'succeeded')
      .execute();
    // Per target, as the planner's selection does: a candidate competes with the other
    // candidates of its own target only.
    const fronts = paretoPerTarget(rows.map((r) => ({
      id: r.id,
      target: r.target,
      acceptable: r.fits === true,
      guesses: (r.fit_failures as Array<{ rule: string }>).some((f) => f.rule === 'no-better-than-chance'),
      broken: isBrokenExport(r.fit_failures as Array<{ rule: string }>),
      ...(r.accuracy !== null && r.bytes !== null && r.estimated_latency_ms !== null
        ? { objectives: { accuracy: r.accuracy, bytes: Number(r.bytes), estimatedLatencyMs: r.estimated_latency_ms } }
        : {}),
    })));
    const front = fronts.flatMap((f) => f.front);
    await markParetoFront(trx, ref, front);
    await storeFinishRun(trx, { ...ref, status: input.status, ...(input.message ? { message: input.message } : {}) });
    return { paretoCandidateIds: front };
  });
}
